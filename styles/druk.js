// druk web edition: marks the section being read in the sidebar. The site works without it.
(function () {
  var links = {};
  document.querySelectorAll('.sidebar a[href*="#"]').forEach(function (a) {
    links[a.getAttribute('href').split('#')[1]] = a;
  });
  var headings = Array.prototype.filter.call(
    document.querySelectorAll('main h2[id], main h3[id]'),
    function (h) { return links[h.id]; });
  if (!headings.length || !('IntersectionObserver' in window)) return;
  var active = null;
  function mark(id) {
    if (active) active.classList.remove('active');
    active = links[id];
    if (active) active.classList.add('active');
  }
  var io = new IntersectionObserver(function (entries) {
    entries.forEach(function (e) { if (e.isIntersecting) mark(e.target.id); });
  }, { rootMargin: '0px 0px -70% 0px' });
  headings.forEach(function (h) { io.observe(h); });
})();
