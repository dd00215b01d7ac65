// mailcheck page: loads the wasm analyser, hands it the pasted or dropped
// message, and renders the Report JSON it returns.
//
// Every string that comes from a message or from DNS is put into the page
// as text (textContent, createTextNode), never as markup, and nothing from a
// message ever becomes a link, so headers carrying <script>, event handler
// attributes or javascript: URLs stay inert text.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);

  const state = { fileBytes: null, fileName: '', json: '', busy: false };
  const STATUS_WORDS = new Set(['pass', 'fail', 'softfail', 'neutral', 'none', 'temperror', 'permerror', 'policy',
    'error', 'warning', 'info', 'permanent', 'transient', 'success', 'intermediate']);
  const MAX_INPUT = 25 * 1024 * 1024;

  // el builds an element. props may hold class, text, title, dataset, and
  // a few attributes; children are nodes, strings (as text) or arrays.
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [k, v] of Object.entries(props)) {
        if (v === undefined || v === null || v === false) continue;
        if (k === 'class') node.className = v;
        else if (k === 'text') node.textContent = String(v);
        else if (k === 'dataset') Object.assign(node.dataset, v);
        else if (k === 'id' || k === 'title' || k === 'colspan' || k === 'scope' || k === 'role' || k === 'open' || k.startsWith('aria-')) node.setAttribute(k, v === true ? '' : String(v));
      }
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      if (Array.isArray(c)) append(node, c);
      else if (c instanceof Node) node.appendChild(c);
      else node.appendChild(document.createTextNode(String(c)));
    }
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function badge(word) {
    const w = String(word ?? 'not checked');
    const cls = STATUS_WORDS.has(w.toLowerCase()) ? w.toLowerCase() : 'neutral';
    return el('span', { class: 'badge ' + cls, text: w });
  }

  function setStatus(text, isError) {
    const s = $('status');
    s.textContent = text;
    s.classList.toggle('error', !!isError);
  }

  // ---------------------------------------------------------------- loading

  async function load() {
    const started = performance.now();
    if (typeof Go !== 'function' || typeof WebAssembly !== 'object') {
      setStatus('This browser cannot run the analyser (WebAssembly is missing).', true);
      return;
    }
    const go = new Go();
    let result;
    try {
      result = await WebAssembly.instantiateStreaming(fetch('mailcheck.wasm'), go.importObject);
    } catch (e) {
      // A server without application/wasm breaks streaming; compile from bytes.
      try {
        const resp = await fetch('mailcheck.wasm');
        if (!resp.ok) throw new Error('HTTP ' + resp.status);
        result = await WebAssembly.instantiate(await resp.arrayBuffer(), go.importObject);
      } catch (e2) {
        setStatus('Could not load the analyser: ' + e2.message, true);
        return;
      }
    }
    const onReady = () => {
      document.body.dataset.readyMs = (performance.now() - started).toFixed(0);
      document.body.dataset.ready = '1';
      $('run').disabled = false;
      $('explain').disabled = false;
      $('schema').textContent = 'Report schema ' + (window.mailcheck.schema || '') + '.';
      setStatus('Ready. Paste a message or drop an .eml file.');
    };
    window.addEventListener('mailcheck-ready', onReady, { once: true });
    go.run(result.instance).then(() => setStatus('The analyser stopped; reload the page.', true));
    if (window.mailcheck && window.mailcheck.ready && document.body.dataset.ready !== '1') onReady();
  }

  // ------------------------------------------------------------------ input

  function dohAllowed(u) {
    try {
      const url = new URL(u);
      if (url.protocol === 'https:') return true;
      return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    } catch (e) {
      return false;
    }
  }

  function options() {
    const at = $('opt-at').value.trim();
    return {
      liveDNS: $('live').checked,
      dohURL: $('doh').value.trim(),
      ip: $('opt-ip').value.trim(),
      helo: $('opt-helo').value.trim(),
      mailFrom: $('opt-from').value.trim(),
      at: at,
    };
  }

  async function useFile(file) {
    if (!file) return;
    if (file.size > MAX_INPUT) {
      setStatus('That file is ' + Math.round(file.size / 1048576) + ' MB; the limit is 25 MB. The headers are enough.', true);
      return;
    }
    // The bytes go to the analyser unchanged: DKIM needs them exact.
    state.fileBytes = new Uint8Array(await file.arrayBuffer());
    state.fileName = file.name;
    $('input').value = '';
    const note = $('file-note');
    note.textContent = 'Using ' + file.name + ' (' + state.fileBytes.length.toLocaleString() + ' bytes).';
    note.hidden = false;
    $('file-clear').hidden = false;
    if (window.mailcheck && window.mailcheck.ready) run();
  }

  function dropFile() {
    state.fileBytes = null;
    state.fileName = '';
    $('file-note').hidden = true;
    $('file-clear').hidden = true;
    $('file').value = '';
  }

  async function run() {
    if (state.busy || !(window.mailcheck && window.mailcheck.ready)) return;
    const input = state.fileBytes || $('input').value;
    if (!input || input.length === 0) {
      setStatus('Paste a message or its headers first, or choose an .eml file.', true);
      return;
    }
    const opts = options();
    opts.source = state.fileBytes ? state.fileName : 'pasted';
    if (opts.liveDNS && !dohAllowed(opts.dohURL)) {
      setStatus('The DoH endpoint must be an https:// URL (plain http only on 127.0.0.1 or localhost).', true);
      return;
    }
    state.busy = true;
    $('run').disabled = true;
    document.body.dataset.state = 'running';
    setStatus(opts.liveDNS ? 'Analysing, asking ' + opts.dohURL + '…' : 'Analysing…');
    const t0 = performance.now();
    try {
      const json = await window.mailcheck.analyze(input, opts);
      const ms = performance.now() - t0;
      document.body.dataset.analysisMs = ms.toFixed(1);
      state.json = json;
      const rep = JSON.parse(json);
      render(rep, opts);
      const n = (rep.dns || []).length;
      setStatus('Analysed in ' + ms.toFixed(0) + ' ms' +
        (opts.liveDNS ? ', ' + n + ' DNS question' + (n === 1 ? '' : 's') + ' asked.' : ', offline (no DNS).'));
      document.body.dataset.state = 'done';
    } catch (e) {
      setStatus(String(e && e.message ? e.message : e), true);
      document.body.dataset.state = 'error';
    } finally {
      state.busy = false;
      $('run').disabled = false;
      document.body.dataset.runs = String(Number(document.body.dataset.runs || 0) + 1);
    }
  }

  // -------------------------------------------------------------- verdicts

  const CHECKS = [
    { key: 'spf', label: 'SPF' },
    { key: 'dkim', label: 'DKIM' },
    { key: 'dmarc', label: 'DMARC' },
    { key: 'arc', label: 'ARC' },
    { key: 'bimi', label: 'BIMI' },
    { key: 'iprev', label: 'iprev' },
    { key: 'helo_spf', label: 'SPF (HELO)', skip: 'spf' },
  ];

  function skipReason(rep, check) {
    const reasons = (rep.skipped || []).filter((s) => s && (s.check === check.key || s.check === check.skip)).map((s) => s.reason);
    return reasons.join('; ');
  }

  function statusOf(v) {
    if (!v || typeof v !== 'object') return null;
    return v.result ?? v.status ?? null;
  }

  function verdictBox(check, status, reason, extra) {
    const box = el('div', { class: 'verdict', dataset: { check: check.key, status: status } },
      el('div', null, el('span', { class: 'name', text: check.label }), badge(status === 'not-checked' ? 'not checked' : status)),
      reason ? el('div', { class: 'reason', text: reason }) : null,
      extra || null);
    return box;
  }

  function renderVerdicts(rep, target) {
    clear(target);
    for (const check of CHECKS) {
      const v = rep[check.key];
      const skip = skipReason(rep, check);
      if (check.key === 'dkim' && Array.isArray(v) && v.length > 0) {
        const sigs = el('ul', { class: 'sigs' }, v.map((s) => el('li', null, badge(statusOf(s) || 'unknown'), ' ',
          el('span', { class: 'mono', text: 'd=' + (s.domain || '?') + ' s=' + (s.selector || '?') }), ' ', s.reason || '')));
        const best = v.some((s) => statusOf(s) === 'pass') ? 'pass' : (statusOf(v[0]) || 'unknown');
        const count = v.filter((s) => statusOf(s) === 'pass').length + ' of ' + v.length + ' signatures pass';
        target.appendChild(verdictBox(check, best, skip ? count + '. ' + skip : count, sigs));
        continue;
      }
      if (Array.isArray(v) && v.length === 0) {
        target.appendChild(verdictBox(check, 'none', skip || 'no ' + check.label + ' signature in the message'));
        continue;
      }
      if (v === null || v === undefined || typeof v !== 'object') {
        if (v === undefined && check.key === 'helo_spf' && !skip) continue;
        target.appendChild(verdictBox(check, 'not-checked', skip || (v === undefined ? 'not reported by this version' : 'not checked')));
        continue;
      }
      target.appendChild(verdictBox(check, statusOf(v) || 'unknown', v.reason || ''));
    }
  }

  // ---------------------------------------------------------------- generic

  function isPlain(v) {
    return v === null || ['string', 'number', 'boolean'].includes(typeof v);
  }

  function plainText(v) {
    if (v === null || v === undefined) return '—';
    if (typeof v === 'boolean') return v ? 'yes' : 'no';
    return String(v);
  }

  function humanKey(k) {
    return String(k).replace(/_/g, ' ');
  }

  // any renders a JSON value of unknown shape: objects as key/value lists,
  // arrays of flat objects as tables.
  function any(v, depth) {
    depth = depth || 0;
    // Long unbroken values (hashes, keys, records) read better in a
    // monospace font that wraps anywhere.
    if (isPlain(v)) return el('span', { class: typeof v === 'string' && v.length > 40 && !/\s/.test(v) ? 'mono' : null, text: plainText(v) });
    if (depth > 6) return el('code', { text: JSON.stringify(v).slice(0, 2000) });
    if (Array.isArray(v)) {
      if (v.length === 0) return el('span', { class: 'note', text: 'none' });
      if (v.every(isPlain)) return el('span', { text: v.map(plainText).join(', ') });
      if (v.every((x) => x && typeof x === 'object' && !Array.isArray(x))) return table(v, null, depth);
      return el('ol', null, v.map((x) => el('li', null, any(x, depth + 1))));
    }
    return kv(v, null, depth);
  }

  function kv(obj, keys, depth) {
    const dl = el('dl', { class: 'kv' });
    for (const k of keys || Object.keys(obj)) {
      const v = obj[k];
      if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) continue;
      dl.appendChild(el('dt', { text: humanKey(k) }));
      dl.appendChild(el('dd', null, (k === 'result' || k === 'status') && typeof v === 'string' ? badge(v) : any(v, (depth || 0) + 1)));
    }
    return dl;
  }

  function table(rows, cols, depth) {
    if (!cols) {
      cols = [];
      for (const r of rows) for (const k of Object.keys(r)) if (!cols.includes(k)) cols.push(k);
    }
    const t = el('table', null,
      el('thead', null, el('tr', null, cols.map((c) => el('th', { scope: 'col', text: humanKey(c) })))),
      el('tbody', null, rows.map((r) => el('tr', null, cols.map((c) => {
        const v = r[c];
        if ((c === 'result' || c === 'status' || c === 'severity' || c === 'claimed' || c === 'ours') && typeof v === 'string') return el('td', null, badge(v));
        return el('td', null, v === undefined ? '' : any(v, (depth || 0) + 1));
      })))));
    return el('div', { class: 'scroll' }, t);
  }

  function section(title, status, ...body) {
    return el('details', { class: 'section', open: true }, el('summary', null, title, status ? ' ' : null, status ? badge(status) : null), body);
  }

  // ------------------------------------------------------------------- route

  function fmtSeconds(s) {
    if (typeof s !== 'number') return '—';
    const neg = s < 0;
    let a = Math.abs(s);
    let out;
    if (a < 60) out = a + ' s';
    else if (a < 3600) out = Math.floor(a / 60) + ' min ' + (a % 60) + ' s';
    else out = (a / 3600).toFixed(1) + ' h';
    return (neg ? '−' : '') + out;
  }

  function hostText(h) {
    if (!h || typeof h !== 'object') return '';
    const parts = [];
    if (h.name) parts.push(h.name);
    if (h.rdns && h.rdns !== h.name) parts.push('rDNS ' + h.rdns);
    if (h.ip && !String(h.name || '').includes(h.ip)) parts.push('[' + h.ip + ']');
    return parts.join(' ');
  }

  function tlsText(hop) {
    const t = hop.tls;
    if (t && typeof t === 'object') return [t.version, t.cipher, t.bits ? t.bits + ' bits' : ''].filter(Boolean).join(' ');
    return hop.encrypted ? 'encrypted' : 'none recorded';
  }

  function renderPath(rep) {
    const path = rep.path || {};
    const hops = Array.isArray(path.hops) ? path.hops : [];
    if (hops.length === 0) return section('Route', null, el('p', { class: 'note', text: 'No Received fields: the route is unknown.' }));
    const maxDelay = Math.max(1, ...hops.map((h) => (typeof h.delay_seconds === 'number' ? Math.abs(h.delay_seconds) : 0)));
    const rows = hops.map((h, i) => {
      const idx = h.index || i + 1;
      const bar = el('div', { class: 'bar', title: fmtSeconds(h.delay_seconds) }, el('span'));
      const width = typeof h.delay_seconds === 'number' && h.delay_seconds > 0 ? (100 * h.delay_seconds / maxDelay) : 0;
      bar.firstChild.style.width = width.toFixed(1) + '%';
      const external = idx === path.first_external;
      // One inner div per cell, so the phone layout can label it.
      const cell = (label, cls, ...kids) => el('td', { class: cls, dataset: { label: label } }, el('div', null, kids));
      return el('tr', { class: external ? 'external' : null, dataset: { hop: String(idx) } },
        cell('Hop', 'hop-no', String(idx), external ? el('span', { class: 'note', text: ' first external' }) : null),
        cell('From', 'mono', hostText(h.from), h.authenticated ? el('div', { class: 'note', text: 'authenticated' }) : null),
        cell('By', 'mono', hostText(h.by)),
        cell('With', null, h.with || ''),
        cell('TLS', null, tlsText(h)),
        cell('Date', null, h.date_raw || h.date || ''),
        cell('Delay', null, fmtSeconds(h.delay_seconds)),
        cell('Timeline', 'timeline', bar));
    });
    const t = el('table', { class: 'hops', dataset: { hops: String(hops.length) } },
      el('thead', null, el('tr', null, ['#', 'From', 'By', 'With', 'TLS'].map((c) => el('th', { scope: 'col', text: c })),
        el('th', { scope: 'col', text: 'Date' }), el('th', { scope: 'col', text: 'Delay' }), el('th', { scope: 'col', text: 'Timeline' }))),
      el('tbody', null, rows));
    const problems = hops.filter((h) => Array.isArray(h.problems) && h.problems.length)
      .map((h) => el('li', null, 'Hop ' + h.index + ': ' + h.problems.join('; ')));
    return section('Route: ' + hops.length + ' hop' + (hops.length === 1 ? '' : 's') +
        (typeof path.total_seconds === 'number' ? ', ' + fmtSeconds(path.total_seconds) + ' in total' : ''), null,
      el('p', { class: 'note', text: 'Oldest first. ' + (path.first_external_reason || '') }),
      el('div', { class: 'scroll' }, t),
      problems.length ? el('ul', null, problems) : null,
      el('details', null, el('summary', { text: 'Raw Received fields' }),
        el('ol', null, hops.map((h) => el('li', { class: 'mono', text: h.raw || '' })))));
  }

  function renderEnvelope(rep) {
    const env = rep.envelope || {};
    const dl = el('dl', { class: 'kv', id: 'envelope' });
    const row = (label, v, id) => {
      if (!v) return;
      dl.appendChild(el('dt', { text: label }));
      dl.appendChild(el('dd', { dataset: id ? { field: id } : null },
        el('span', { class: 'mono', text: v.value === '' ? '<> (null reverse-path)' : plainText(v.value) }), ' ',
        el('span', { class: 'note', text: v.note || v.origin || '' })));
    };
    row('Client IP', env.client_ip, 'client_ip');
    row('HELO', env.helo, 'helo');
    row('MAIL FROM', env.mail_from, 'mail_from');
    if (env.receiver) { dl.appendChild(el('dt', { text: 'Receiver' })); dl.appendChild(el('dd', { class: 'mono', text: env.receiver })); }
    const summary = rep.summary || {};
    const input = rep.input || {};
    return section('Message and envelope', null,
      kv(summary, ['from', 'to', 'subject', 'date', 'message_id', 'return_path']),
      dl,
      el('p', { class: 'note', text: [
        (input.fields ?? '?') + ' header fields, ' + (input.header_bytes ?? '?') + ' header bytes' +
        (input.headers_only ? ', headers only (no body)' : ', ' + (input.body_bytes ?? '?') + ' body bytes'),
        input.line_endings ? input.line_endings + ' line endings' : '',
        'DNS: ' + (rep.dns_mode || 'unknown'),
        rep.at ? 'evaluated at ' + rep.at : '',
      ].filter(Boolean).join('; ') }),
      Array.isArray(input.problems) && input.problems.length ? el('ul', null, input.problems.map((p) => el('li', { text: p }))) : null);
  }

  // ------------------------------------------------------------------ checks

  function spfStep(step, depth) {
    if (!step || typeof step !== 'object' || depth > 30) return null;
    const head = el('div', null,
      el('span', { class: 'note', text: step.code || 'step' }), ' ',
      step.term ? el('code', { text: step.term }) : null,
      step.domain ? el('span', { class: 'note', text: ' at ' + step.domain }) : null,
      step.result ? [' ', badge(step.result)] : null,
      step.matched ? el('span', { class: 'note', text: ' matched' }) : null,
      ' ', el('span', { class: 'note', text: '(' + (step.lookups ?? 0) + ' lookups, ' + (step.void_lookups ?? 0) + ' void)' }));
    const queries = Array.isArray(step.queries) && step.queries.length ? el('ul', null, step.queries.map((q) =>
      el('li', { class: 'mono', text: (q.name || '') + ' ' + (q.type || '') + ' → ' + (q.error || q.rcode || '') +
        (Array.isArray(q.records) && q.records.length ? ': ' + q.records.join(' | ') : '') }))) : null;
    const kids = Array.isArray(step.children) && step.children.length ? el('ul', { class: 'tree' }, step.children.map((c) => el('li', null, spfStep(c, depth + 1)))) : null;
    return [head, step.note ? el('div', { class: 'note', text: step.note }) : null, queries, kids];
  }

  function renderSPF(label, v) {
    const facts = kv(v, ['reason', 'identity', 'domain', 'sender', 'ip', 'record', 'mechanism', 'explanation', 'lookups', 'void_lookups', 'max_lookups', 'problem']);
    const tree = v.trace ? el('div', null, el('h3', { text: 'Lookup tree' }), el('ul', { class: 'tree' }, el('li', null, spfStep(v.trace, 0)))) : null;
    return section(label, statusOf(v), facts, tree);
  }

  function renderDKIM(list) {
    return section('DKIM: ' + list.length + ' signature' + (list.length === 1 ? '' : 's'), null, list.map((s, i) => {
      const shown = ['reason', 'step', 'domain', 'selector', 'identity', 'algorithm', 'key_type', 'key_bits', 'header_canon', 'body_canon',
        'signed_headers', 'body_length', 'unsigned_body_bytes', 'timestamp', 'expiration', 'body_hash_checked', 'body_hash', 'computed_body_hash',
        'header_verified', 'key_record', 'testing', 'problem'];
      const rest = Object.keys(s).filter((k) => !shown.includes(k) && !['result', 'findings', 'field_index', 'header_b'].includes(k));
      return el('div', { class: 'card', dataset: { dkim: String(i + 1) } },
        el('div', null, el('strong', { text: 'Signature ' + (i + 1) + ' ' }), badge(statusOf(s) || 'unknown'), ' ',
          el('span', { class: 'mono', text: 'd=' + (s.domain || '?') + ' s=' + (s.selector || '?') })),
        kv(s, shown.concat(rest)),
        Array.isArray(s.findings) && s.findings.length ? findingsList(s.findings) : null);
    }));
  }

  function renderARC(v) {
    const sets = Array.isArray(v.sets) ? v.sets : null;
    const rest = Object.keys(v).filter((k) => k !== 'sets');
    return section('ARC', statusOf(v), kv(v, rest),
      sets ? el('div', null, el('h3', { text: 'Chain: ' + sets.length + ' set' + (sets.length === 1 ? '' : 's') }),
        sets.map((s, i) => el('div', { class: 'card' }, el('strong', { text: 'Set i=' + (s && s.instance !== undefined ? s.instance : i + 1) }), any(s, 1)))) : null);
  }

  function renderDMARC(v) {
    const first = ['reason', 'from_domain', 'org_domain', 'policy_domain', 'record', 'applied_policy', 'requested', 'disposition', 'pct', 'mode'];
    const rest = Object.keys(v).filter((k) => !first.includes(k) && !['result', 'alignment', 'policy'].includes(k));
    return section('DMARC', statusOf(v), kv(v, first.concat(rest)),
      Array.isArray(v.alignment) && v.alignment.length ? el('div', null, el('h3', { text: 'Alignment' }), table(v.alignment)) : null,
      v.policy && typeof v.policy === 'object' ? el('details', null, el('summary', { text: 'Policy record, parsed' }), any(v.policy, 1)) : null);
  }

  function renderChecks(rep) {
    const out = [];
    const notChecked = (label, check) => section(label, 'not checked', el('p', { class: 'note', text: skipReason(rep, check) || 'not reported by this version' }));
    for (const check of CHECKS) {
      const v = rep[check.key];
      if (check.key === 'dkim') {
        if (Array.isArray(v) && v.length) out.push(renderDKIM(v));
        else out.push(section('DKIM', 'none', el('p', { class: 'note', text: skipReason(rep, check) || 'The message carries no DKIM-Signature.' })));
        continue;
      }
      if (!v || typeof v !== 'object') {
        if (v === undefined && check.key === 'helo_spf') continue;
        out.push(notChecked(check.label, check));
        continue;
      }
      if (check.key === 'spf' || check.key === 'helo_spf') out.push(renderSPF(check.label, v));
      else if (check.key === 'arc') out.push(renderARC(v));
      else if (check.key === 'dmarc') out.push(renderDMARC(v));
      else out.push(section(check.label, statusOf(v), kv(v, ['reason'].concat(Object.keys(v).filter((k) => k !== 'reason' && k !== 'result')))));
    }
    return el('div', { id: 'checks' }, el('h3', { text: 'Checks in detail' }), out);
  }

  // ------------------------------------------------------- codes, spam, etc.

  function renderCodes(rep) {
    const codes = Array.isArray(rep.codes) ? rep.codes : [];
    if (codes.length === 0) return null;
    const rows = codes.map((c) => el('tr', { dataset: { enhanced: c.enhanced || '', reply: c.reply ? String(c.reply) : '' } },
      el('td', { class: 'mono', text: [c.reply || '', c.enhanced || ''].filter(Boolean).join(' ') }),
      el('td', null, badge(c.class || ''), c.reason ? el('div', { class: 'note', text: c.reason }) : null),
      el('td', null, el('div', { text: c.meaning || '' }), c.action ? el('div', { class: 'note', text: c.action }) : null),
      el('td', { class: 'hide-narrow' }, el('div', { class: 'mono', text: c.text || '' }), c.location ? el('div', { class: 'note', text: c.location }) : null)));
    return section('SMTP codes (' + codes.length + ')', null, el('div', { class: 'scroll' }, el('table', { id: 'codes' },
      el('thead', null, el('tr', null, ['Code', 'Class', 'Meaning and what to do'].map((c) => el('th', { scope: 'col', text: c })),
        el('th', { scope: 'col', class: 'hide-narrow', text: 'Where' }))),
      el('tbody', null, rows))));
  }

  function renderSpam(rep) {
    const spam = Array.isArray(rep.spam) ? rep.spam : [];
    if (spam.length === 0) return null;
    return section('Spam filter verdicts (' + spam.length + ')', null, spam.map((v) => el('div', { class: 'card' },
      el('div', null, el('strong', { text: v.header || '' }), ' ', el('span', { class: 'note', text: v.vendor || '' }), ' ',
        v.spam === true ? badge('fail') : v.spam === false ? badge('pass') : null,
        v.spam === true ? ' spam' : v.spam === false ? ' not spam' : '',
        typeof v.score === 'number' ? el('span', { text: ' score ' + v.score + (typeof v.threshold === 'number' ? ' (threshold ' + v.threshold + ')' : '') }) : null),
      v.summary ? el('div', { text: v.summary }) : null,
      Array.isArray(v.rules) && v.rules.length ? el('details', null, el('summary', { text: v.rules.length + ' rules' }), table(v.rules)) : null,
      Array.isArray(v.fields) && v.fields.length ? el('details', null, el('summary', { text: v.fields.length + ' fields' }), table(v.fields)) : null,
      Array.isArray(v.problems) && v.problems.length ? el('ul', null, v.problems.map((p) => el('li', { class: 'note', text: p }))) : null)));
  }

  function renderClaimed(rep) {
    const c = rep.claimed;
    if (!c || typeof c !== 'object') return null;
    const comps = Array.isArray(c.comparisons) ? c.comparisons : [];
    return section('Claimed by receivers vs. recomputed here', null,
      kv(c, ['authserv_id', 'received_spf']),
      comps.length ? table(comps) : el('p', { class: 'note', text: 'No Authentication-Results to compare.' }),
      Array.isArray(c.fields) && c.fields.length ? el('details', null, el('summary', { text: c.fields.length + ' Authentication-Results field(s), as written' }),
        el('ol', null, c.fields.map((f) => el('li', { class: 'mono', text: (f && f.raw) || JSON.stringify(f) })))) : null,
      Array.isArray(c.unparsed) && c.unparsed.length ? el('details', null, el('summary', { text: 'Unreadable fields' }), any(c.unparsed)) : null);
  }

  function findingsList(list) {
    return el('ul', { class: 'findings' }, list.map((f) => el('li', { dataset: { code: f.code || '' } },
      badge(f.severity || 'info'), ' ', el('span', { text: f.message || '' }), ' ',
      el('span', { class: 'note mono', text: [f.code, f.ref, f.hop ? 'hop ' + f.hop : ''].filter(Boolean).join(' · ') }))));
  }

  function renderFindings(rep) {
    const list = Array.isArray(rep.findings) ? rep.findings : [];
    return section('Findings (' + list.length + ')', null, list.length ? findingsList(list) : el('p', { class: 'note', text: 'Nothing to report.' }));
  }

  function renderDNS(rep, opts) {
    const list = Array.isArray(rep.dns) ? rep.dns : [];
    if (list.length === 0) {
      return section('DNS', null, el('p', { class: 'note', text: opts && opts.liveDNS ? 'No DNS questions were needed.' : 'Live DNS is off: no DNS question left this page.' }));
    }
    const rows = list.map((x) => el('tr', null,
      el('td', { class: 'mono', text: x.name || '' }),
      el('td', { text: x.type || '' }),
      el('td', null, x.error ? badge('temperror') : el('span', { text: x.rcode || '' }), x.error ? el('div', { class: 'note', text: x.error }) : null),
      el('td', { class: 'mono' }, (x.records || []).map((r) => el('div', { text: r }))),
      el('td', { class: 'hide-narrow', text: (typeof x.duration_ms === 'number' ? x.duration_ms.toFixed(0) + ' ms' : '') + (x.authentic ? ', DNSSEC (AD)' : '') }),
      el('td', { class: 'hide-narrow mono', text: x.source || '' })));
    const names = [...new Set(list.map((x) => x.name))];
    return section('DNS: ' + list.length + ' question' + (list.length === 1 ? '' : 's'), null,
      el('p', { id: 'dns-names' }, 'Names queried' + (opts && opts.liveDNS ? ' (sent to ' + opts.dohURL + ')' : '') + ': ',
        el('span', { class: 'mono', text: names.join(', ') })),
      el('div', { class: 'scroll' }, el('table', { id: 'dns' },
        el('thead', null, el('tr', null, ['Name', 'Type', 'Outcome', 'Records'].map((c) => el('th', { scope: 'col', text: c })),
          el('th', { scope: 'col', class: 'hide-narrow', text: 'Time' }), el('th', { scope: 'col', class: 'hide-narrow', text: 'Source' }))),
        el('tbody', null, rows))));
  }

  const KNOWN = new Set(['schema', 'source', 'at', 'dns_mode', 'input', 'summary', 'envelope', 'path', 'spf', 'helo_spf', 'iprev', 'dkim', 'arc',
    'dmarc', 'bimi', 'claimed', 'authentication_results', 'report', 'codes', 'spam', 'returned', 'findings', 'skipped', 'dns']);

  function renderBody(rep, opts, depth) {
    const parts = [
      renderEnvelope(rep),
      renderPath(rep),
      renderChecks(rep),
      renderCodes(rep),
      renderSpam(rep),
      renderClaimed(rep),
      rep.authentication_results ? section('Authentication-Results as recomputed', null, el('pre', { text: rep.authentication_results })) : null,
      renderFindings(rep),
      rep.report ? section('Report carried by the message (' + (rep.report.type || 'unknown') + ')', null, any(rep.report, 1)) : null,
      depth === 0 ? renderDNS(rep, opts) : null,
      Array.isArray(rep.skipped) && rep.skipped.length ? section('Not checked', null, table(rep.skipped)) : null,
    ];
    for (const k of Object.keys(rep)) {
      if (!KNOWN.has(k) && rep[k] !== null && rep[k] !== undefined) parts.push(section(humanKey(k), null, any(rep[k], 1)));
    }
    if (rep.returned && typeof rep.returned === 'object' && depth === 0) {
      const inner = el('div');
      renderVerdicts(rep.returned, inner);
      inner.classList.add('verdicts');
      parts.push(el('details', { class: 'section' }, el('summary', { text: 'The returned original message' }), inner, renderBody(rep.returned, opts, depth + 1)));
    }
    return el('div', null, parts);
  }

  function render(rep, opts) {
    renderVerdicts(rep, $('verdicts'));
    const target = $('report');
    clear(target);
    target.appendChild(renderBody(rep, opts, 0));
    $('results').hidden = false;
  }

  // -------------------------------------------------------------- code tool

  async function explainCode() {
    const q = $('code').value.trim();
    const out = $('code-out');
    clear(out);
    if (!q || !(window.mailcheck && window.mailcheck.ready)) return;
    try {
      const res = JSON.parse(await window.mailcheck.explainCode(q));
      const card = (title, x) => x ? el('div', { class: 'card', dataset: { code: x.code !== undefined ? String(x.code) : '' } },
        el('strong', { text: title + ' ' + (x.code ?? '') + ' ' }), badge(x.class || ''),
        el('p', { text: x.summary || x.meaning || '' }),
        x.plain ? el('p', { text: x.plain }) : null,
        kv(x, ['when', 'causes', 'sender', 'recipient_admin', 'postmaster', 'description', 'reference', 'related'])) : null;
      append(out, [card('Reply code', res.reply), card('Enhanced status code', res.enhanced)]);
      const rest = Object.keys(res).filter((k) => !['query', 'reply', 'enhanced'].includes(k));
      if (rest.length) out.appendChild(kv(res, rest));
    } catch (e) {
      out.appendChild(el('p', { class: 'status error', text: String(e && e.message ? e.message : e) }));
    }
  }

  // ------------------------------------------------------------ JSON output

  function pretty() {
    try {
      return JSON.stringify(JSON.parse(state.json), null, 2);
    } catch (e) {
      return state.json;
    }
  }

  async function copyJSON() {
    if (!state.json) return;
    try {
      await navigator.clipboard.writeText(pretty());
      setStatus('The report JSON is on the clipboard.');
    } catch (e) {
      setStatus('Copying was refused by the browser; use Download instead.', true);
    }
  }

  function downloadJSON() {
    if (!state.json) return;
    const blob = new Blob([pretty() + '\n'], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const a = el('a');
    a.href = url;
    a.download = (state.fileName ? state.fileName.replace(/\.[^.]*$/, '') : 'mailcheck') + '.report.json';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // ------------------------------------------------------------------ wiring

  function wire() {
    $('run').addEventListener('click', run);
    $('explain').addEventListener('click', explainCode);
    $('code').addEventListener('keydown', (e) => { if (e.key === 'Enter') explainCode(); });
    $('input').addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) run(); });
    $('input').addEventListener('input', () => { if (state.fileBytes) dropFile(); });
    $('file').addEventListener('change', (e) => useFile(e.target.files && e.target.files[0]));
    $('file-clear').addEventListener('click', dropFile);
    $('clear').addEventListener('click', () => {
      dropFile();
      $('input').value = '';
      $('results').hidden = true;
      clear($('report'));
      clear($('verdicts'));
      state.json = '';
      setStatus('Cleared.');
    });
    const live = $('live');
    const syncLive = () => {
      $('doh-row').hidden = !live.checked;
      $('live-note').textContent = live.checked
        ? 'On: the DNS names the checks need are sent to this DNS-over-HTTPS resolver; they are listed with the results.'
        : 'Off: checks that need DNS are reported as not checked.';
    };
    live.addEventListener('change', syncLive);
    syncLive();
    $('copy').addEventListener('click', copyJSON);
    $('download').addEventListener('click', downloadJSON);

    const drop = $('drop');
    ['dragenter', 'dragover'].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.add('over'); }));
    ['dragleave', 'drop'].forEach((t) => drop.addEventListener(t, () => drop.classList.remove('over')));
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      const f = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
      if (f) useFile(f);
    });
  }

  wire();
  load();
})();
