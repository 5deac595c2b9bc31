// Runs before the first paint (a classic script in <head>; the CSP allows only same-origin scripts, so it cannot
// be inline): applies the saved theme so a dark choice does not flash white. Same key as workspace/theme.ts.
(function () {
  try {
    var t = localStorage.getItem('aio-tuner.theme');
    if (t === 'light' || t === 'dark') document.documentElement.dataset.theme = t;
  } catch {
    // No storage: follow the system.
  }
})();
