// widget.js, embedded in other sites' pages: `<script src="https://otklik.example/widget.js" data-org="ORG">` renders
// the appeal form right after the tag; `Widget(url, orgId[, element])` does the same where the site wants it (ПОС's
// embedding style); with `data-poll="<pollId>"` instead it renders that poll. Bundled to ES2017 for older browsers.
import { renderAppealForm } from './appeal-form.js';
import { renderPollForm } from './poll-form.js';

declare global {
  interface Window {
    Widget?: typeof Widget;
  }
}

// Only known while the script first runs: later calls of Widget() still place their form after this tag.
const current = document.currentScript instanceof HTMLScriptElement ? document.currentScript : null;

function afterScriptTag(container: HTMLElement): HTMLElement {
  if (current && current.parentNode) current.parentNode.insertBefore(container, current.nextSibling);
  else document.body.appendChild(container);
  return container;
}

/** Renders the appeal form of organisation `orgId`, talking to the Otklik server that `url` belongs to. */
function Widget(url: string | URL, orgId: string | number, element?: HTMLElement | null): HTMLFormElement {
  const base = new URL(url, location.href).origin;
  return renderAppealForm(base, String(orgId), element || afterScriptTag(document.createElement('div')));
}

// A second copy of widget.js on the same page keeps the first one's function.
window.Widget = window.Widget || Widget;
const pollId = current && current.getAttribute('data-poll');
const orgId = current && current.getAttribute('data-org');
if (current && pollId) renderPollForm(new URL(current.src, location.href).origin, pollId, afterScriptTag(document.createElement('div')));
else if (current && orgId) Widget(current.src, orgId);
