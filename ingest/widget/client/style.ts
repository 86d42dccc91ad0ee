// The widget lives inside other sites' pages: every rule is scoped to .otklik-w so the host's own styles stay untouched.
const WIDGET_CSS =
  '.otklik-w{font:15px/1.4 system-ui,sans-serif;max-width:560px;border:1px solid #c9d3e0;border-radius:8px;padding:16px;background:#fff;color:#1b2733}'
  + '.otklik-w h3{margin:0 0 12px;font-size:18px}.otklik-w label{display:block;margin:8px 0 4px}'
  + '.otklik-w input[type=text],.otklik-w input[type=tel],.otklik-w input[type=email],.otklik-w select,.otklik-w textarea{width:100%;box-sizing:border-box;padding:6px 8px;border:1px solid #9fb0c4;border-radius:4px;font:inherit}'
  + '.otklik-w textarea{min-height:110px}.otklik-w .otklik-consent{display:flex;gap:8px;align-items:flex-start;margin:10px 0}'
  + '.otklik-w .otklik-consent label{margin:0}.otklik-w button{margin-top:8px;padding:8px 16px;border:0;border-radius:4px;background:#0d4cd3;color:#fff;font:inherit;cursor:pointer}'
  + '.otklik-w button[disabled]{opacity:.6;cursor:default}.otklik-w .otklik-hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}'
  + '.otklik-w .otklik-status{margin-top:12px}.otklik-w .otklik-error{color:#b00020}.otklik-w .otklik-number{font-weight:600;font-size:17px}'
  + '.otklik-w .otklik-scale{display:flex;flex-wrap:wrap;gap:6px;align-items:center}.otklik-w .otklik-scale label{display:inline;margin:0 8px 0 2px}'
  + '.otklik-w .otklik-dates{font-weight:600;margin:0 0 8px}.otklik-w fieldset{border:1px solid #c9d3e0;border-radius:6px;margin:0 0 10px}';

const STYLE_ID = 'otklik-w-style';

/** One style element per page, however many widgets it holds. */
export function ensureStyle(): void {
  if (document.getElementById(STYLE_ID)) return;
  const style = document.createElement('style');
  style.id = STYLE_ID;
  style.textContent = WIDGET_CSS;
  document.head.appendChild(style);
}
