// The invitation page: the person the link was made for sets their password, once, and goes to the login form.
import { announce, api, h, ruDateTime } from './_common.js';
import { detached } from './_detached.js';

const root = document.getElementById('invite')!;
const token = root.dataset.token!;
const who = document.getElementById('invite-who')!;
const form = document.getElementById('invite-form') as HTMLFormElement;
const status = document.getElementById('invite-status');

async function start() {
  try {
    const i = await api<{ login: string; displayName: string; expiresAt: string }>(`/api/v1/invitations/${encodeURIComponent(token)}`);
    who.replaceChildren(`${i.displayName}, ваш логин: `, h('strong', {}, i.login), `. Задайте пароль до ${ruDateTime(i.expiresAt)}.`);
    form.hidden = false;
  } catch (err) {
    who.textContent = '';
    announce(status, `Ссылка не работает: ${(err as Error).message}.`, true);
  }
  document.body.dataset.inviteReady = 'true';
}

form.addEventListener('submit', detached(async (e) => {
  e.preventDefault();
  const password = (document.getElementById('new-password') as HTMLInputElement).value;
  if (password !== (document.getElementById('repeat-password') as HTMLInputElement).value) return announce(status, 'Пароли не совпадают.', true);
  try {
    const r = await api<{ login: string }>(`/api/v1/invitations/${encodeURIComponent(token)}/accept`, { method: 'POST', body: { password } });
    form.hidden = true;
    root.append(h('p', { class: 'ok' }, 'Учётная запись активирована. '),
      h('a', { href: `/login?next=${encodeURIComponent('/desk')}` }, `Войти под логином ${r.login}`));
    announce(status, '');
    document.body.dataset.inviteDone = 'true';
  } catch (err) {
    announce(status, (err as Error).message, true);
  }
}));
void start();
