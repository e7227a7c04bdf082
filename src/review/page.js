// dechrome review page: sortable tables, filters, keyboard navigation between removals, and a
// self-test (open the page with #selftest) that drives them and writes its results into the page.
(function () {
  'use strict';
  function all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function one(sel, root) { return (root || document).querySelector(sel); }
  function has(list, name) { return (' ' + (list || '') + ' ').indexOf(' ' + name + ' ') >= 0; }

  var filters = { family: '', rule: '', side: '' };

  function active() { return filters.family !== '' || filters.rule !== '' || filters.side !== ''; }

  function markMatches(m) {
    return (filters.family === '' || has(m.dataset.families, filters.family)) &&
      (filters.rule === '' || has(m.dataset.rules, filters.rule)) &&
      (filters.side === '' || m.dataset.side === filters.side);
  }

  function say(text) { one('#position').textContent = text; }

  function setCurrent(m) {
    var old = one('mark.current');
    if (old) { old.classList.remove('current'); }
    if (m) {
      m.classList.add('current');
      m.focus({ preventScroll: true });
      m.scrollIntoView({ block: 'center' });
    }
  }

  // Shows the documents with a removal the filters let through (all of them when none is set) and
  // dims the removals they leave out.
  function applyFilters() {
    var docs = all('section.doc');
    var shown = 0;
    docs.forEach(function (d) {
      var ok = !active() || all('mark', d).some(markMatches);
      d.hidden = !ok;
      if (ok) { shown += 1; }
    });
    all('main mark').forEach(function (m) { m.classList.toggle('dim', !markMatches(m)); });
    one('#shown-docs').textContent = shown + ' of ' + docs.length + ' documents shown';
    setCurrent(null);
    say('');
  }

  // The removals keyboard navigation visits: those the filters let through, in shown documents.
  function navigable() {
    return all('section.doc:not([hidden]) mark').filter(markMatches);
  }

  function move(step) {
    var list = navigable();
    if (list.length === 0) { say('No removal to go to.'); return; }
    var i = list.indexOf(one('mark.current'));
    if (i < 0) { i = step > 0 ? 0 : list.length - 1; } else { i = (i + step + list.length) % list.length; }
    setCurrent(list[i]);
    say('Removal ' + (i + 1) + ' of ' + list.length + ': ' + list[i].dataset.rule +
      ' (' + list[i].dataset.family + ')');
  }

  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) { return; }
    var t = e.target && e.target.tagName;
    if (t === 'SELECT' || t === 'INPUT' || t === 'TEXTAREA') { return; }
    if (e.key === 'n' || e.key === 'j') { move(1); e.preventDefault(); }
    if (e.key === 'p' || e.key === 'k') { move(-1); e.preventDefault(); }
  });

  [['#filter-family', 'family'], ['#filter-rule', 'rule'], ['#filter-side', 'side']].forEach(function (f) {
    var sel = one(f[0]);
    if (sel) {
      sel.addEventListener('change', function () { filters[f[1]] = sel.value; applyFilters(); });
    }
  });

  function cellValue(row, col, num) {
    var c = row.cells[col];
    return num ? Number(c.dataset.v) : c.textContent;
  }

  // Sorts a table by one column: numbers largest first and text A to Z on the first click, the
  // other way on the next. Ties keep the page's order.
  function sortTable(table, col) {
    var th = table.tHead.rows[0].cells[col];
    var num = th.dataset.type === 'num';
    var was = th.getAttribute('aria-sort');
    var dir = was ? (was === 'ascending' ? 'descending' : 'ascending') : (num ? 'descending' : 'ascending');
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', dir);
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.forEach(function (r, i) { if (r.dataset.i === undefined) { r.dataset.i = i; } });
    var sign = dir === 'ascending' ? 1 : -1;
    rows.sort(function (a, b) {
      var x = cellValue(a, col, num);
      var y = cellValue(b, col, num);
      var c = x < y ? -1 : (x > y ? 1 : 0);
      return c !== 0 ? sign * c : Number(a.dataset.i) - Number(b.dataset.i);
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }

  all('table.sortable').forEach(function (table) {
    all('thead th button', table).forEach(function (b, col) {
      b.addEventListener('click', function () { sortTable(table, col); });
    });
  });

  // ---- self-test ------------------------------------------------------------------------------
  function selftest() {
    var lines = [];
    var failed = 0;
    function check(name, ok, detail) {
      if (ok) { lines.push('PASS ' + name); } else { failed += 1; lines.push('FAIL ' + name + (detail ? ': ' + detail : '')); }
    }
    function setFilter(id, value) {
      var sel = one(id);
      sel.value = value;
      sel.dispatchEvent(new Event('change'));
    }
    function press(key) {
      document.body.dispatchEvent(new KeyboardEvent('keydown', { key: key, bubbles: true }));
    }
    function ordered(table, col, num, dir) {
      var v = Array.prototype.map.call(table.tBodies[0].rows, function (r) { return cellValue(r, col, num); });
      for (var i = 1; i < v.length; i += 1) {
        if (dir === 'ascending' ? v[i - 1] > v[i] : v[i - 1] < v[i]) { return false; }
      }
      return table.tHead.rows[0].cells[col].getAttribute('aria-sort') === dir;
    }
    function click(table, col) { table.tHead.rows[0].cells[col].querySelector('button').click(); }

    // Sorting.
    var rules = one('#rules');
    var count = 2;
    click(rules, count);
    check('sort rules by count, largest first', ordered(rules, count, true, 'descending'));
    click(rules, count);
    check('sort rules by count, smallest first', ordered(rules, count, true, 'ascending'));
    click(rules, 0);
    check('sort rules by id', ordered(rules, 0, false, 'ascending'));
    click(rules, 0);
    check('sort rules by id, reversed', ordered(rules, 0, false, 'descending'));
    var fams = one('#families');
    click(fams, 1);
    check('sort families by count', ordered(fams, 1, true, 'descending'));

    // Links to first occurrences.
    var links = all('#rules a, #families a');
    check('links lead to removals', links.length > 0 && links.every(function (a) {
      var m = document.getElementById(a.getAttribute('href').slice(1));
      var row = a.closest('tr');
      return m && m.tagName === 'MARK' && (row.dataset.rule ? has(m.dataset.rules, row.dataset.rule) : has(m.dataset.families, row.dataset.family));
    }));

    // Filters.
    function filterWorks(id, attr, value) {
      setFilter(id, value);
      var docs = all('section.doc');
      var ok = docs.every(function (d) {
        var fired = all('mark', d).some(function (m) { return has(m.dataset[attr], value); });
        return d.hidden === !fired;
      });
      var marks = all('main mark').every(function (m) { return m.classList.contains('dim') === !has(m.dataset[attr], value); });
      var text = one('#shown-docs').textContent === docs.filter(function (d) { return !d.hidden; }).length + ' of ' + docs.length + ' documents shown';
      setFilter(id, '');
      return ok && marks && text;
    }
    var famOptions = all('#filter-family option').slice(1);
    check('filter by family', famOptions.length > 0 && famOptions.every(function (o) { return filterWorks('#filter-family', 'families', o.value); }));
    var ruleOptions = all('#filter-rule option').slice(1);
    check('filter by rule', ruleOptions.length > 0 && ruleOptions.every(function (o) { return filterWorks('#filter-rule', 'rules', o.value); }));
    check('filters cleared', all('section.doc').every(function (d) { return !d.hidden; }) && all('main mark.dim').length === 0);
    if (one('#filter-side')) {
      check('filter by side', ['first', 'second', 'both'].every(function (side) {
        setFilter('#filter-side', side);
        var ok = all('section.doc').every(function (d) {
          return d.hidden === !all('mark', d).some(function (m) { return m.dataset.side === side; });
        });
        setFilter('#filter-side', '');
        return ok;
      }));
    }

    // Keyboard navigation.
    var marks = navigable();
    press('n');
    check('key n goes to the first removal', marks.length > 0 && one('mark.current') === marks[0] && document.activeElement === marks[0]);
    press('j');
    check('key j goes to the next removal', marks.length > 1 && one('mark.current') === marks[1]);
    press('p');
    check('key p goes back', one('mark.current') === marks[0]);
    press('k');
    check('key k wraps to the last removal', one('mark.current') === marks[marks.length - 1] &&
      one('#position').textContent.indexOf('Removal ' + marks.length + ' of ' + marks.length + ': ') === 0);
    var lastFam = famOptions.length ? famOptions[famOptions.length - 1].value : '';
    setFilter('#filter-family', lastFam);
    press('n');
    var cur = one('mark.current');
    check('keys visit only filtered removals', cur !== null && has(cur.dataset.families, lastFam) && !cur.closest('section').hidden);
    setFilter('#filter-family', '');

    lines.push('DONE ' + (lines.length - failed) + ' passed, ' + failed + ' failed');
    var pre = document.createElement('pre');
    pre.id = 'selftest';
    pre.textContent = lines.join('\n');
    document.body.insertBefore(pre, document.body.firstChild);
  }

  if (location.hash === '#selftest') { selftest(); }
}());
