/** The categories a citizen can pick in the widget (a hint for the classifier; it decides the final one). */
export const WIDGET_CATEGORIES = [
  'ЖКХ', 'Дороги', 'Общественный транспорт', 'Благоустройство', 'Здравоохранение', 'Образование', 'Социальная защита',
  'Экология', 'Безопасность', 'Другое',
] as const;

/**
 * The embeddable widget, as plain ES2017 so it runs on any site without a build. It is served as one file:
 * `<script src="https://otklik.example/widget.js" data-org="ORG"></script>` renders the form right after the tag;
 * `Widget(url, orgId[, element])` does the same where the site wants it (ПОС's embedding style). With
 * `data-poll="<pollId>"` instead, it renders that poll and votes through the public polls API (channel 'widget').
 */
export function widgetScript(): string {
  return `(function () {
  'use strict';
  var CATEGORIES = ${JSON.stringify(WIDGET_CATEGORIES)};
  var current = document.currentScript;
  var CSS = '.otklik-w{font:15px/1.4 system-ui,sans-serif;max-width:560px;border:1px solid #c9d3e0;border-radius:8px;padding:16px;background:#fff;color:#1b2733}' +
    '.otklik-w h3{margin:0 0 12px;font-size:18px}.otklik-w label{display:block;margin:8px 0 4px}' +
    '.otklik-w input[type=text],.otklik-w input[type=tel],.otklik-w input[type=email],.otklik-w select,.otklik-w textarea{width:100%;box-sizing:border-box;padding:6px 8px;border:1px solid #9fb0c4;border-radius:4px;font:inherit}' +
    '.otklik-w textarea{min-height:110px}.otklik-w .otklik-consent{display:flex;gap:8px;align-items:flex-start;margin:10px 0}' +
    '.otklik-w .otklik-consent label{margin:0}.otklik-w button{margin-top:8px;padding:8px 16px;border:0;border-radius:4px;background:#0d4cd3;color:#fff;font:inherit;cursor:pointer}' +
    '.otklik-w button[disabled]{opacity:.6;cursor:default}.otklik-w .otklik-hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}' +
    '.otklik-w .otklik-status{margin-top:12px}.otklik-w .otklik-error{color:#b00020}.otklik-w .otklik-number{font-weight:600;font-size:17px}';

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16); crypto.getRandomValues(b); b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]);
    if (text) e.textContent = text;
    return e;
  }
  function field(form, id, labelText, input) {
    input.id = id; form.appendChild(el('label', { for: id }, labelText)); form.appendChild(input); return input;
  }

  function render(base, org, container) {
    if (!document.getElementById('otklik-w-style')) {
      var st = el('style', { id: 'otklik-w-style' }); st.textContent = CSS; document.head.appendChild(st);
    }
    var n = Math.random().toString(36).slice(2, 8);
    var form = el('form', { 'class': 'otklik-w', novalidate: '' });
    form.appendChild(el('h3', {}, 'Сообщить о проблеме'));
    var cat = field(form, 'otklik-category-' + n, 'Категория', el('select', { name: 'category' }));
    CATEGORIES.forEach(function (c) { cat.appendChild(el('option', { value: c }, c)); });
    var text = field(form, 'otklik-text-' + n, 'Опишите проблему', el('textarea', { name: 'text', maxlength: '5000', required: '' }));
    var address = field(form, 'otklik-address-' + n, 'Адрес', el('input', { type: 'text', name: 'address', maxlength: '1000' }));
    var name = field(form, 'otklik-name-' + n, 'Ваше имя', el('input', { type: 'text', name: 'name', maxlength: '300', autocomplete: 'name' }));
    var phone = field(form, 'otklik-phone-' + n, 'Телефон', el('input', { type: 'tel', name: 'phone', maxlength: '50', autocomplete: 'tel' }));
    var email = field(form, 'otklik-email-' + n, 'Электронная почта', el('input', { type: 'email', name: 'email', maxlength: '300', autocomplete: 'email' }));
    var hp = el('div', { 'class': 'otklik-hp', 'aria-hidden': 'true' });
    var website = el('input', { type: 'text', name: 'website', tabindex: '-1', autocomplete: 'off' });
    hp.appendChild(el('label', {}, 'Не заполняйте это поле')); hp.appendChild(website); form.appendChild(hp);
    var consentRow = el('div', { 'class': 'otklik-consent' });
    var consent = el('input', { type: 'checkbox', name: 'consent', id: 'otklik-consent-' + n });
    consentRow.appendChild(consent);
    consentRow.appendChild(el('label', { for: 'otklik-consent-' + n }, 'Я согласен(а) на обработку персональных данных'));
    form.appendChild(consentRow);
    var button = el('button', { type: 'submit' }, 'Отправить');
    form.appendChild(button);
    var status = el('div', { 'class': 'otklik-status', role: 'status', 'aria-live': 'polite' });
    form.appendChild(status);
    var key = uuid();
    var busy = false;

    function show(msg, isError) { status.textContent = msg; status.className = 'otklik-status' + (isError ? ' otklik-error' : ''); }
    function poll(id, tries) {
      fetch(base + '/api/v1/widget/messages/' + encodeURIComponent(id)).then(function (r) { return r.json(); }).then(function (s) {
        if (s.registrationNumber) {
          status.className = 'otklik-status';
          status.textContent = '';
          status.appendChild(document.createTextNode('Ваше обращение зарегистрировано. Номер: '));
          status.appendChild(el('span', { 'class': 'otklik-number' }, s.registrationNumber));
          return;
        }
        if (tries > 0) setTimeout(function () { poll(id, tries - 1); }, 1000);
        else show('Обращение принято. Номер регистрации будет направлен вам позже.');
      }).catch(function () { if (tries > 0) setTimeout(function () { poll(id, tries - 1); }, 2000); });
    }

    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      if (busy) return;
      if (!consent.checked) return show('Нужно согласие на обработку персональных данных.', true);
      if (text.value.trim().length < 10) return show('Опишите проблему подробнее.', true);
      if (!phone.value.trim() && !email.value.trim()) return show('Укажите телефон или e-mail для ответа.', true);
      busy = true; button.disabled = true; show('Отправляем…');
      var body = { idempotencyKey: key, org: org, category: cat.value, text: text.value, address: address.value || undefined,
        name: name.value || undefined, phone: phone.value || undefined, email: email.value || undefined, consent: true,
        website: website.value || undefined };
      fetch(base + '/api/v1/widget/messages', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
        .then(function (r) {
          busy = false;
          if (!r.ok) { button.disabled = false; return show(r.body.error || 'Не удалось отправить обращение.', true); }
          // The next form fill is a new message; this one kept its key for retries until it was accepted.
          key = uuid();
          text.value = '';
          button.disabled = false;
          show('Обращение принято, регистрируем…');
          poll(r.body.messageId, 60);
        })
        .catch(function () { busy = false; button.disabled = false; show('Нет связи с сервером. Попробуйте ещё раз.', true); });
    });
    container.appendChild(form);
    return form;
  }

  /** Poll mode: the poll's questions, a one-time code to the voter's phone or e-mail, then the vote (channel 'widget'). */
  function renderPoll(base, pollId, container) {
    if (!document.getElementById('otklik-w-style')) {
      var st = el('style', { id: 'otklik-w-style' }); st.textContent = CSS; document.head.appendChild(st);
    }
    var n = Math.random().toString(36).slice(2, 8);
    var form = el('form', { 'class': 'otklik-w otklik-poll', novalidate: '' });
    var status = el('div', { 'class': 'otklik-status', role: 'status', 'aria-live': 'polite' });
    function show(msg, isError) { status.textContent = msg; status.className = 'otklik-status' + (isError ? ' otklik-error' : ''); }
    function call(method, path, body, token) {
      var headers = { 'Content-Type': 'application/json' };
      if (token) headers['X-Voter-Token'] = token;
      return fetch(base + path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); });
    }
    container.appendChild(form);
    form.appendChild(status);
    show('Загружаем голосование…');
    fetch(base + '/api/v1/public/polls/' + encodeURIComponent(pollId)).then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
      .then(function (r) {
        if (!r.ok) return show(r.body.error || 'Голосование не найдено.', true);
        var p = r.body;
        form.removeChild(status);
        form.appendChild(el('h3', {}, p.title));
        if (p.description) form.appendChild(el('p', {}, p.description));
        var readers = [];
        p.questions.forEach(function (q, qi) {
          var box = el('fieldset', { 'class': 'otklik-q' });
          box.appendChild(el('legend', {}, q.text + (q.required ? ' *' : '')));
          if (q.kind === 'single' || q.kind === 'multiple') {
            q.options.forEach(function (o, oi) {
              var id = 'otklik-q' + qi + '-' + oi + '-' + n;
              var row = el('div', { 'class': 'otklik-consent' });
              var input = el('input', { type: q.kind === 'single' ? 'radio' : 'checkbox', name: 'q' + qi + '-' + n, value: o.id, id: id });
              row.appendChild(input); row.appendChild(el('label', { for: id }, o.text)); box.appendChild(row);
            });
            readers.push(function () {
              var ids = Array.prototype.map.call(box.querySelectorAll('input:checked'), function (i) { return i.value; });
              return ids.length ? { questionId: q.id, optionIds: ids } : null;
            });
          } else if (q.kind === 'scale') {
            var sel = el('select', { 'aria-label': q.text }); sel.appendChild(el('option', { value: '' }, '—'));
            for (var v = q.scaleMin; v <= q.scaleMax; v++) sel.appendChild(el('option', { value: String(v) }, String(v)));
            box.appendChild(sel);
            readers.push(function () { return sel.value ? { questionId: q.id, value: Number(sel.value) } : null; });
          } else {
            var ta = el('textarea', { 'aria-label': q.text, maxlength: '5000' }); box.appendChild(ta);
            readers.push(function () { return ta.value.trim() ? { questionId: q.id, text: ta.value.trim() } : null; });
          }
          form.appendChild(box);
        });
        var muni = null;
        if (p.municipalities && p.municipalities.length) {
          muni = field(form, 'otklik-muni-' + n, 'Ваш муниципалитет', el('select', { name: 'municipality' }));
          muni.appendChild(el('option', { value: '' }, 'Выберите…'));
          p.municipalities.forEach(function (m) { muni.appendChild(el('option', { value: m }, m)); });
        }
        var age = null;
        if (p.minAge) {
          var ageRow = el('div', { 'class': 'otklik-consent' });
          age = el('input', { type: 'checkbox', id: 'otklik-age-' + n }); ageRow.appendChild(age);
          ageRow.appendChild(el('label', { for: 'otklik-age-' + n }, 'Мне исполнилось ' + p.minAge + ' лет')); form.appendChild(ageRow);
        }
        var contact = field(form, 'otklik-contact-' + n, 'Телефон или e-mail для подтверждения', el('input', { type: 'text', name: 'contact', maxlength: '320', autocomplete: 'tel' }));
        var getCode = el('button', { type: 'button' }, 'Получить код'); form.appendChild(getCode);
        var code = field(form, 'otklik-code-' + n, 'Код из сообщения', el('input', { type: 'text', name: 'code', inputmode: 'numeric', maxlength: '6', autocomplete: 'one-time-code' }));
        var vote = el('button', { type: 'submit' }, 'Проголосовать'); form.appendChild(vote);
        form.appendChild(status); show('');
        var challengeId = null;
        var token = null;
        getCode.addEventListener('click', function () {
          var dest = contact.value.trim();
          if (!dest) return show('Укажите телефон или e-mail.', true);
          getCode.disabled = true;
          call('POST', '/api/v1/public/identity/code', { channel: dest.indexOf('@') >= 0 ? 'email' : 'phone', destination: dest }).then(function (r) {
            getCode.disabled = false;
            if (!r.ok) return show(r.body.error || 'Не удалось отправить код.', true);
            challengeId = r.body.challengeId; show('Код отправлен. Введите его и нажмите «Проголосовать».');
          }).catch(function () { getCode.disabled = false; show('Нет связи с сервером. Попробуйте ещё раз.', true); });
        });
        form.addEventListener('submit', function (ev) {
          ev.preventDefault();
          var answers = readers.map(function (f) { return f(); }).filter(Boolean);
          if (!answers.length) return show('Выберите ответ.', true);
          if (muni && !muni.value) return show('Выберите ваш муниципалитет.', true);
          if (!token && !challengeId) return show('Сначала получите код подтверждения.', true);
          vote.disabled = true;
          var ballot = { answers: answers, channel: 'widget', municipality: muni ? muni.value : undefined, ageConfirmed: age ? age.checked : undefined };
          var verified = token ? Promise.resolve(token) : call('POST', '/api/v1/public/identity/verify', { challengeId: challengeId, code: code.value.trim() }).then(function (r) {
            if (!r.ok) throw new Error(r.body.error || 'Неверный код');
            token = r.body.token; return token;
          });
          verified.then(function (t) { return call('POST', '/api/v1/public/polls/' + encodeURIComponent(pollId) + '/votes', ballot, t); })
            .then(function (r) {
              vote.disabled = false;
              show(r.ok ? r.body.message : (r.body.error || 'Голос не принят.'), !r.ok);
            })
            .catch(function (e) { vote.disabled = false; show(e && e.message ? e.message : 'Нет связи с сервером.', true); });
        });
      })
      .catch(function () { show('Нет связи с сервером. Попробуйте позже.', true); });
    return form;
  }

  function Widget(url, orgId, element) {
    var base = new URL(url, location.href).origin;
    var container = element || document.createElement('div');
    if (!element) (current && current.parentNode ? current.parentNode.insertBefore(container, current.nextSibling) : document.body.appendChild(container));
    return render(base, String(orgId), container);
  }
  window.Widget = window.Widget || Widget;
  if (current && current.getAttribute('data-poll')) {
    var pollBox = document.createElement('div');
    current.parentNode ? current.parentNode.insertBefore(pollBox, current.nextSibling) : document.body.appendChild(pollBox);
    renderPoll(new URL(current.src, location.href).origin, current.getAttribute('data-poll'), pollBox);
  } else if (current && current.getAttribute('data-org')) Widget(current.src, current.getAttribute('data-org'));
})();
`;
}
