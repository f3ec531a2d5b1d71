// druk serve: reloads the page after a rebuild and shows the last build's problems.
(function () {
  function show(list) {
    var box = document.getElementById('druk-overlay');
    if (!list.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement('div');
      box.id = 'druk-overlay';
      box.setAttribute('role', 'alert');
      document.body.appendChild(box);
    }
    box.textContent = '';
    list.forEach(function (d) {
      var p = document.createElement('div');
      p.className = d.severity;
      var where = d.file ? d.file + (d.line ? ':' + d.line + ':' + d.column : '') + ': ' : '';
      p.textContent = where + d.severity + ': ' + d.message + (d.help ? '\n  help: ' + d.help : '');
      box.appendChild(p);
    });
  }
  fetch('/_druk/diagnostics').then(function (r) { return r.json(); }).then(show).catch(function () {});
  var es = new EventSource('/_druk/events');
  es.addEventListener('reload', function () { location.reload(); });
  es.addEventListener('diagnostics', function (e) { show(JSON.parse(e.data)); });
})();
