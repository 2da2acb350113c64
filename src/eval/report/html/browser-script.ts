/**
 * The report's only script: the sample browser. It reads the samples from the JSON element
 * `#assay-samples`, filters, searches and sorts them, draws only the rows in view (a
 * 10,000-sample run stays fast) and draws one sample's timeline when it is opened.
 *
 * Every piece of data reaches the page through `textContent` or an attribute set with
 * `setAttribute`: no string is ever parsed as HTML. The page's Content-Security-Policy allows
 * this script by its hash and nothing else, and no network access at all.
 *
 * State lives in the URL fragment (`#arm=tools&verdict=wrong&sample=ID`), so a view can be
 * linked to and reloaded.
 */
export const BROWSER_SCRIPT = String.raw`(function () {
'use strict';
var source = document.getElementById('assay-samples');
if (!source) return;
var t0 = performance.now(), t1 = 0;
var samples = [];
var ROW = 30;
var FILTERS = ['arm', 'tag', 'status', 'verifier', 'error'];
var state = { arm: '', tag: '', status: '', verifier: '', error: '', q: '', sort: 'task', dir: 1, sample: '' };
var view = [];
var haystack = null;
// The transcripts (each sample's "d") come in a second blob, read after the list is drawn:
// they are nine tenths of the data. Until then, what needs them waits in "pending".
var details = null, pending = [];
function withDetails(fn) { if (details) fn(); else pending.push(fn); }
var $ = function (id) { return document.getElementById(id); };
var scroller = $('sb-scroll'), spacer = $('sb-spacer'), rows = $('sb-rows'), detail = $('sb-detail');
var count = $('sb-count'), search = $('sb-q');

function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
function add(parent) {
  for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]);
  return parent;
}
function verdictClass(v) { return v === 'correct' ? 'ok' : v === 'wrong' ? 'bad' : 'warn'; }
function verifierOf(s) { return s.ok === true ? 'correct' : s.ok === false ? 'incorrect' : 'no verdict'; }
function ms(n) { return n >= 1000 ? (n / 1000).toFixed(n >= 10000 ? 0 : 1) + ' s' : n + ' ms'; }
function settings(o) {
  if (!o || typeof o !== 'object') return show(o);
  return Object.keys(o).map(function (k) { return k + ' ' + (o[k] === null ? 'default' : show(o[k])); }).join(' · ');
}
function show(v) { return typeof v === 'string' ? v : JSON.stringify(v, null, 2); }

function options(id, values, none) {
  var select = $(id);
  values.forEach(function (v) { var o = el('option', '', v); o.value = v; select.appendChild(o); });
  if (none) { var o = el('option', '', none); o.value = '\u0000none'; select.appendChild(o); }
}
function distinct(get) {
  var seen = Object.create(null), out = [];
  samples.forEach(function (s) {
    [].concat(get(s)).forEach(function (v) { if (v !== null && v !== '' && !seen[v]) { seen[v] = 1; out.push(v); } });
  });
  return out.sort();
}
function start() {
options('sb-arm', distinct(function (s) { return s.arm; }));
options('sb-tag', distinct(function (s) { return s.tags; }), '(no tag)');
options('sb-status', distinct(function (s) { return s.status; }));
options('sb-verifier', ['correct', 'incorrect', 'no verdict']);
options('sb-error', distinct(function (s) { return s.err; }), '(no error)');

}
function detailOf(s) {
  if (typeof s.d === 'string') s.d = JSON.parse(s.d);
  return s.d;
}
function textOf(s) {
  var d = detailOf(s), parts = [s.task, s.answer || ''];
  d.messages.forEach(function (m) {
    if (m.content) parts.push(m.content);
    if (m.reasoning_content) parts.push(m.reasoning_content);
    (m.tool_calls || []).forEach(function (c) { parts.push(c.function.name, c.function.arguments); });
  });
  if (d.error) parts.push(d.error.code, d.error.message);
  return parts.join('\n').toLowerCase();
}
function matches(s, i) {
  if (state.arm && s.arm !== state.arm) return false;
  if (state.tag && (state.tag === '\u0000none' ? s.tags.length > 0 : s.tags.indexOf(state.tag) < 0)) return false;
  if (state.status && s.status !== state.status) return false;
  if (state.verifier && verifierOf(s) !== state.verifier) return false;
  if (state.error && (state.error === '\u0000none' ? s.err !== null : s.err !== state.error)) return false;
  if (state.q) {
    if (!haystack) haystack = samples.map(textOf);
    if (haystack[i].indexOf(state.q.toLowerCase()) < 0) return false;
  }
  return true;
}
var KEYS = {
  task: function (s) { return s.task; }, arm: function (s) { return s.arm; },
  s: function (s) { return s.s; }, verdict: function (s) { return s.verdict; },
  status: function (s) { return s.status; }, calls: function (s) { return s.calls; },
  tokens: function (s) { return s.tin + s.tout; }, ms: function (s) { return s.ms; },
  answer: function (s) { return s.answer || ''; }
};
function apply() {
  if (state.q && !details) {
    count.textContent = 'reading the transcripts…';
    withDetails(apply);
    return;
  }
  view = [];
  for (var i = 0; i < samples.length; i++) if (matches(samples[i], i)) view.push(i);
  var key = KEYS[state.sort] || KEYS.task, dir = state.dir;
  view.sort(function (a, b) {
    var x = key(samples[a]), y = key(samples[b]);
    return (x < y ? -dir : x > y ? dir : 0) || a - b;
  });
  count.textContent = view.length === samples.length
    ? samples.length + ' samples'
    : view.length + ' of ' + samples.length + ' samples';
  document.querySelectorAll('#sb-head [data-sort]').forEach(function (h) {
    var k = h.getAttribute('data-sort');
    h.setAttribute('aria-sort', k === state.sort ? (state.dir > 0 ? 'ascending' : 'descending') : 'none');
  });
  spacer.style.height = view.length * ROW + 'px';
  // Short lists take only the room they need; long ones scroll inside 14 rows.
  scroller.style.height = Math.min(14, Math.max(1, view.length)) * ROW + 'px';
  draw();
  saveHash();
}

function cell(cls, text, title) { var c = el('span', cls, text); if (title) c.title = title; return c; }
function row(index) {
  var s = samples[index];
  var r = el('div', 'sb-row' + (s.id === state.sample ? ' selected' : ''));
  r.setAttribute('role', 'row');
  r.setAttribute('data-i', String(index));
  add(r,
    add(el('span'), el('span', 'badge ' + verdictClass(s.verdict), s.verdict)),
    cell('', s.task, s.task),
    cell('', s.arm),
    cell('num', s.s + (s.attempt > 0 ? ' · try ' + (s.attempt + 1) : ''), s.attempt > 0 ? 'sample ' + s.s + ', attempt ' + (s.attempt + 1) + ' (earlier attempts hit infra errors)' : ''),
    cell('', s.status + (s.err ? ' · ' + s.err : '')),
    cell('num', s.calls),
    cell('num', s.tin + s.tout),
    cell('num', ms(s.ms)),
    cell('sb-answer', s.answer === null ? '–' : s.answer.slice(0, 300), s.answer ? s.answer.slice(0, 1000) : ''));
  return r;
}
function draw() {
  var first = Math.max(0, Math.floor(scroller.scrollTop / ROW) - 8);
  var last = Math.min(view.length, first + Math.ceil((scroller.clientHeight || 420) / ROW) + 16);
  rows.style.transform = 'translateY(' + first * ROW + 'px)';
  var out = [];
  for (var i = first; i < last; i++) out.push(row(view[i]));
  rows.replaceChildren.apply(rows, out);
  if (view.length === 0) rows.replaceChildren(el('div', 'sb-empty muted', 'No sample matches.'));
}

function dl(pairs) {
  var d = el('dl', 'sb-facts');
  pairs.forEach(function (p) { if (p) add(d, el('dt', '', p[0]), el('dd', '', p[1])); });
  return d;
}
function pre(text, cls) { return el('pre', cls, text); }
function verifierBox(v) {
  if (!v) return el('p', 'muted', 'No verifier ran on this sample.');
  var box = el('div', 'sb-verifier');
  add(box, el('h4', '', 'Verifier ' + v.name + (v.version ? ' ' + v.version : '') + ': ' +
    (v.correct === true ? 'correct' : v.correct === false ? 'incorrect' : 'no verdict')));
  var details = v.details || {};
  var why = details.explanation || details.reason || details.message;
  if (typeof why === 'string') add(box, el('p', 'sb-explanation', why));
  add(box, dl([['extracted', v.extracted === null ? '–' : v.extracted], ['expected', v.expected === null ? '–' : v.expected]]));
  var keys = Object.keys(details).filter(function (k) { return details[k] !== why; });
  if (keys.length) add(box, dl(keys.map(function (k) { return [k, show(details[k])]; })));
  return box;
}
function callItem(call, part) {
  var li = el('li', 'sb-ev call');
  var head = add(el('div', 'sb-ev-head'), el('span', 'sb-kind', 'tool call'), el('code', '', part.function.name));
  if (call) {
    var d = call.policy ? call.policy.decision : null;
    add(head, el('span', 'badge ' + (d === 'allow' || d === null ? 'ok' : 'warn'), d === null ? 'no policy' : 'policy: ' + d),
      call.ok ? el('span', 'badge ok', 'ok') : el('span', 'badge bad', 'failed'),
      el('span', 'muted', ms(call.ms)));
  }
  add(li, head, pre(show(call ? call.arguments : part.function.arguments), 'sb-args'));
  if (call && call.policy && (call.policy.rule || call.policy.decision !== 'allow')) {
    add(li, el('p', 'sb-policy', (call.policy.rule ? 'rule ' + call.policy.rule + ': ' : '') + call.policy.reason));
  }
  if (call && call.error) add(li, el('p', 'error-line', call.error.code + ': ' + call.error.message));
  return li;
}
function timeline(s) {
  var list = el('ol', 'sb-timeline'), step = 0, d = detailOf(s);
  d.messages.forEach(function (m) {
    if (m.role === 'assistant') {
      var turn = d.turns[step] || null;
      var li = el('li', 'sb-ev assistant');
      var head = add(el('div', 'sb-ev-head'), el('span', 'sb-kind', 'model step ' + (step + 1)));
      if (turn) {
        if (turn.usage) add(head, el('span', 'muted', turn.usage.prompt_tokens + ' in / ' + turn.usage.completion_tokens + ' out tokens'));
        if (typeof turn.latency_ms === 'number') add(head, el('span', 'muted', ms(Math.round(turn.latency_ms))));
        if (turn.finish_reason) add(head, el('span', 'muted', 'finish ' + turn.finish_reason));
        if (turn.tool_call_source) add(head, el('span', 'muted', 'calls via ' + turn.tool_call_source + (turn.dialect ? ' (' + turn.dialect + ')' : '')));
      }
      add(li, head);
      if (m.reasoning_content) {
        var r = el('details', 'reasoning');
        add(r, el('summary', '', 'reasoning'), pre(m.reasoning_content));
        add(li, r);
      }
      if (m.content) add(li, pre(m.content));
      else if (!m.tool_calls || !m.tool_calls.length) add(li, el('p', 'muted', '(empty)'));
      add(list, li);
      (m.tool_calls || []).forEach(function (part) {
        add(list, callItem(d.calls.filter(function (c) { return c.id === part.id; })[0], part));
      });
      step++;
    } else {
      var label = m.role === 'tool' ? 'tool result' + (m.name ? ' · ' + m.name : '') + (m.is_error ? ' · error' : '') : m.role;
      var item = el('li', 'sb-ev ' + m.role + (m.is_error ? ' tool-error' : ''));
      add(item, add(el('div', 'sb-ev-head'), el('span', 'sb-kind', label)), pre(m.content));
      add(list, item);
    }
  });
  return list;
}
function open(id) {
  state.sample = id;
  var s = null;
  for (var i = 0; i < samples.length; i++) if (samples[i].id === id) { s = samples[i]; break; }
  rows.querySelectorAll('.sb-row').forEach(function (r) {
    r.classList.toggle('selected', s !== null && samples[Number(r.getAttribute('data-i'))] === s);
  });
  if (!s) { detail.replaceChildren(el('p', 'muted', 'Select a sample to read its timeline.')); saveHash(); return; }
  if (!details) {
    detail.replaceChildren(el('p', 'muted', 'Reading the transcripts…'));
    withDetails(function () { if (state.sample === id) open(id); });
    return;
  }
  var d = detailOf(s);
  var head = add(el('h3'), el('span', 'badge ' + verdictClass(s.verdict), s.verdict), el('span', '', ' ' + s.task + ' · ' + s.arm + ' · sample ' + s.s + (s.attempt ? ', attempt ' + (s.attempt + 1) : '')));
  var where = s.line === null ? 'trace ' + s.id : 'traces.jsonl line ' + s.line + ' · trace ' + s.id;
  var parts = [head, el('p', 'muted', where),
    dl([['outcome', s.status + ' (' + d.stop + ')'], ['reward', d.reward === null ? '–' : d.reward],
      ['tokens', s.tin + ' in / ' + s.tout + ' out'], ['latency', ms(s.ms)], ['tool calls', s.calls],
      s.tags.length ? ['tags', s.tags.join(', ')] : null, ['started', d.started], ['sampling', settings(d.sampling)]])];
  if (d.error) parts.push(el('p', 'error-line', d.error.class + ' error ' + d.error.code + ': ' + d.error.message));
  parts.push(verifierBox(d.verifier), el('h4', '', 'Timeline'), timeline(s));
  detail.replaceChildren.apply(detail, parts);
  saveHash();
}

function saveHash() {
  var p = [];
  FILTERS.concat(['q']).forEach(function (k) { if (state[k]) p.push(k + '=' + encodeURIComponent(state[k])); });
  if (state.sort !== 'task' || state.dir !== 1) p.push('sort=' + (state.dir < 0 ? '-' : '') + state.sort);
  if (state.sample) p.push('sample=' + encodeURIComponent(state.sample));
  try { history.replaceState(null, '', p.length ? '#' + p.join('&') : location.pathname + location.search); } catch (e) { /* file: URLs may refuse */ }
}
function loadHash() {
  location.hash.slice(1).split('&').forEach(function (kv) {
    var at = kv.indexOf('='); if (at < 0) return;
    var k = kv.slice(0, at), v;
    try { v = decodeURIComponent(kv.slice(at + 1)); } catch (e) { return; }
    if (k === 'sort') { state.dir = v.charAt(0) === '-' ? -1 : 1; state.sort = v.replace(/^-/, ''); }
    else if (k === 'q' || k === 'sample' || FILTERS.indexOf(k) >= 0) state[k] = v;
  });
  FILTERS.forEach(function (k) { $('sb-' + k).value = state[k]; if ($('sb-' + k).value !== state[k]) state[k] = ''; });
  search.value = state.q;
}

FILTERS.forEach(function (k) {
  $('sb-' + k).addEventListener('change', function (e) { state[k] = e.target.value; scroller.scrollTop = 0; apply(); });
});
var timer = 0;
search.addEventListener('input', function () {
  clearTimeout(timer);
  timer = setTimeout(function () { state.q = search.value.trim(); scroller.scrollTop = 0; apply(); }, 120);
});
$('sb-head').addEventListener('click', function (e) {
  var h = e.target.closest('[data-sort]'); if (!h) return;
  var k = h.getAttribute('data-sort');
  state.dir = state.sort === k ? -state.dir : 1; state.sort = k; apply();
});
$('sb-head').addEventListener('keydown', function (e) {
  if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); e.target.click(); }
});
scroller.addEventListener('scroll', function () { requestAnimationFrame(draw); });
rows.addEventListener('click', function (e) {
  var r = e.target.closest('.sb-row'); if (r) open(samples[Number(r.getAttribute('data-i'))].id);
});
scroller.addEventListener('keydown', function (e) {
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
  e.preventDefault();
  var at = -1;
  for (var i = 0; i < view.length; i++) if (samples[view[i]].id === state.sample) { at = i; break; }
  var next = Math.max(0, Math.min(view.length - 1, at + (e.key === 'ArrowDown' ? 1 : -1)));
  if (!view.length) return;
  open(samples[view[next]].id);
  var top = next * ROW;
  if (top < scroller.scrollTop) scroller.scrollTop = top;
  else if (top + ROW > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = top + ROW - scroller.clientHeight;
  draw();
});
document.querySelectorAll('a[data-sample]').forEach(function (a) {
  a.addEventListener('click', function (e) {
    e.preventDefault(); open(a.getAttribute('data-sample')); $('h-samples').scrollIntoView();
  });
});

function boot() {
  start();
  loadHash();
  apply();
  open(state.sample);
  // A linked view (filters or a sample in the address) opens at the browser, not the top.
  if (location.hash.length > 1) $('h-samples').scrollIntoView();
  // What the address asks for (a search, a sample) is drawn once the transcripts are read.
  if (details || (!state.q && !state.sample)) ready(); else withDetails(ready);
}
function ready() {
  var t2 = performance.now();
// For bench/report.ts: when the page was parsed, the data read and the list drawn.
document.documentElement.setAttribute('data-browser-ready', String(Math.round(t2)));
document.documentElement.setAttribute('data-browser-timing',
  'script ' + Math.round(t0) + ' ms, data parsed ' + Math.round(t1) + ' ms, drawn ' + Math.round(t2) + ' ms');
}

// The samples are gzipped JSON in base64; the browser inflates them natively, off the parser.
function inflate(element) {
  var packed = atob((element.textContent || '').trim());
  var bytes = new Uint8Array(packed.length);
  for (var b = 0; b < packed.length; b++) bytes[b] = packed.charCodeAt(b);
  return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text()
    .then(function (text) { return JSON.parse(text); });
}
function failed(error) {
  detail.replaceChildren(el('p', 'error-line', 'Could not read the samples: ' + error));
}
inflate(source)
  .then(function (list) {
    samples = list; t1 = performance.now(); boot();
    // After the first frame: the list is on screen while the transcripts are read.
    requestAnimationFrame(function () {
      setTimeout(function () {
        inflate($('assay-details')).then(function (texts) {
          texts.forEach(function (d, i) { samples[i].d = d; });
          details = texts;
          pending.splice(0).forEach(function (fn) { fn(); });
        }).catch(failed);
      }, 0);
    });
  })
  .catch(failed);
})();
`;
