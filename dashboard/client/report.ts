// The weekly report's print button (no inline handlers: the page's script is served like every other).
document.getElementById('print')?.addEventListener('click', () => window.print());
document.body.dataset.reportReady = 'true';
