// The only client script: hides revealed card details after their time, shows notifications live
// from the server-sent event stream and refreshes the dashboard's figures when one arrives, moves
// focus to a form's error summary, warns before the idle sign-out, wires copy buttons and the
// statement's print button. Every page works without it.
(function () {
  'use strict';

  function hideRevealedCard() {
    var box = document.getElementById('revealed');
    if (!box) return;
    var left = Number(box.getAttribute('data-hide-after')) || 60;
    var countdown = document.getElementById('reveal-countdown');
    var template = countdown ? countdown.getAttribute('data-template') : null;
    var timer = setInterval(function () {
      left -= 1;
      if (left > 0) {
        if (countdown && template) countdown.textContent = template.replace('{s}', String(left));
        return;
      }
      clearInterval(timer);
      box.textContent = '';
      var note = document.createElement('p');
      note.id = 'reveal-hidden';
      note.setAttribute('role', 'status');
      note.textContent = box.getAttribute('data-hidden-text');
      box.appendChild(note);
    }, 1000);
  }

  var formatters = {};
  function formatTime(iso, lang) {
    var key = lang || 'en';
    if (!formatters[key]) {
      formatters[key] = new Intl.DateTimeFormat(key === 'ar' ? 'ar-KW-u-nu-latn' : 'en-GB',
        { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Kuwait' });
    }
    return formatters[key].format(new Date(iso));
  }

  function listItem(n, alertLabel, lang, list) {
    var li = document.createElement('li');
    li.className = 'notification fresh' + (n.severity === 'alert' ? ' alert' : '');
    li.setAttribute('data-id', n.id);
    if (n.severity === 'alert') {
      var tag = document.createElement('strong');
      tag.className = 'tag';
      tag.textContent = alertLabel;
      li.appendChild(tag);
    }
    var message = document.createElement('span');
    message.className = 'message';
    message.dir = 'auto';
    message.textContent = n.message;
    li.appendChild(message);
    var time = document.createElement('time');
    time.setAttribute('datetime', n.createdAt);
    time.textContent = formatTime(n.createdAt, lang);
    li.appendChild(time);
    if (n.severity === 'alert' && list) {
      var actions = document.createElement('span');
      actions.className = 'alert-actions';
      var freeze = list.getAttribute('data-freeze-href');
      if (freeze) actions.appendChild(link(freeze, list.getAttribute('data-freeze-label'), 'button small danger'));
      actions.appendChild(link('/notifications?ok=' + encodeURIComponent(n.id), list.getAttribute('data-ok-label'), 'button small'));
      li.appendChild(actions);
    }
    return li;
  }

  function link(href, text, className) {
    var a = document.createElement('a');
    a.href = href;
    a.className = className;
    a.textContent = text;
    return a;
  }

  // The dashboard re-reads itself and swaps its live parts (figures, state, latest purchases),
  // then says what changed in the polite live region. The request is marked as a refresh, so it
  // does not keep an unattended session alive.
  var refreshing = null;
  function refreshLiveParts() {
    if (!document.querySelector('[data-live-part]') || refreshing) return;
    refreshing = fetch(location.pathname + location.search, { headers: { 'x-refresh': '1' }, credentials: 'same-origin' })
      .then(function (res) {
        if (res.redirected && new URL(res.url).pathname === '/login') { location.reload(); return null; }
        return res.ok ? res.text() : null;
      })
      .then(function (html) {
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var announce = null;
        document.querySelectorAll('[data-live-part]').forEach(function (part) {
          var fresh = doc.getElementById(part.id);
          if (!fresh || fresh.innerHTML === part.innerHTML) return;
          part.replaceWith(document.importNode(fresh, true));
          if (fresh.getAttribute('data-announce')) announce = fresh.getAttribute('data-announce');
        });
        var summary = document.getElementById('live-summary');
        if (announce && summary) summary.textContent = announce;
      })
      .catch(function () { /* the next alert tries again */ })
      .then(function () { refreshing = null; });
  }

  function toast(live, n, alertLabel) {
    var box = document.createElement('div');
    box.className = 'toast' + (n.severity === 'alert' ? ' alert' : '');
    if (n.severity === 'alert') {
      var tag = document.createElement('strong');
      tag.textContent = alertLabel;
      box.appendChild(tag);
    }
    box.appendChild(document.createTextNode(n.message));
    live.appendChild(box);
    setTimeout(function () { box.remove(); }, 12000);
  }

  function showNotification(n) {
    if (!n || !n.id || !n.message) return;
    var live = document.getElementById('live');
    var alertLabel = live ? live.getAttribute('data-alert-label') : '!';
    var lang = document.documentElement.lang;
    var lists = document.querySelectorAll('[data-live-list="notifications"]');
    var isNew = false;
    lists.forEach(function (list) {
      if (list.querySelector('[data-id="' + CSS.escape(n.id) + '"]')) return;
      isNew = true;
      var empty = list.querySelector('.empty');
      if (empty) empty.remove();
      list.insertBefore(listItem(n, alertLabel, lang, list), list.firstChild);
    });
    if ((isNew || lists.length === 0) && live) toast(live, n, alertLabel);
    refreshLiveParts();
  }

  function listen() {
    var live = document.getElementById('live');
    if (!live || !window.EventSource) return;
    var source = new EventSource(live.getAttribute('data-stream'));
    var handle = function (event) {
      try {
        var data = JSON.parse(event.data);
        (Array.isArray(data) ? data : [data]).forEach(showNotification);
      } catch (e) { /* a keep-alive or an event we do not show */ }
    };
    source.onmessage = handle;
    source.addEventListener('notification', handle);
    window.addEventListener('pagehide', function () { source.close(); });
  }

  // The statement page's print button (inline handlers are not allowed by the CSP).
  document.querySelectorAll('[data-print]').forEach(function (button) {
    button.addEventListener('click', function () { window.print(); });
  });

  // After a failed submit, focus goes to the error summary; its links move to each field.
  function focusErrorSummary() {
    var summary = document.querySelector('[data-error-summary]');
    if (!summary) return;
    summary.focus();
    summary.querySelectorAll('a[href^="#"]').forEach(function (a) {
      a.addEventListener('click', function (event) {
        var field = document.getElementById(a.getAttribute('href').slice(1));
        if (!field) return;
        event.preventDefault();
        field.focus();
      });
    });
  }

  // Two minutes before the idle sign-out: offer to stay. At the end, reload: the server sends the
  // customer to sign in again, and back here afterwards.
  function idleWarning() {
    var box = document.getElementById('idle-warning');
    if (!box) return;
    var idleMs = Number(box.getAttribute('data-idle-ms'));
    var warnMs = Number(box.getAttribute('data-warn-ms'));
    var warnTimer, endTimer;
    function arm() {
      clearTimeout(warnTimer);
      clearTimeout(endTimer);
      box.hidden = true;
      warnTimer = setTimeout(function () {
        box.hidden = false;
        document.getElementById('idle-stay').focus();
      }, idleMs - warnMs);
      endTimer = setTimeout(function () { location.reload(); }, idleMs + 1000);
    }
    document.getElementById('idle-stay').addEventListener('click', function () {
      fetch('/session/stay', { credentials: 'same-origin' }).then(function (res) {
        if (res.redirected || !res.ok) location.reload(); else arm();
      });
    });
    arm();
  }

  // Copy buttons (hidden without script, since they need it).
  function copyButtons() {
    document.querySelectorAll('[data-copy]').forEach(function (button) {
      button.hidden = false;
      var label = button.textContent;
      button.addEventListener('click', function () {
        var done = function () {
          button.textContent = button.getAttribute('data-copied');
          setTimeout(function () { button.textContent = label; }, 2000);
        };
        if (navigator.clipboard) navigator.clipboard.writeText(button.getAttribute('data-copy')).then(done, done);
      });
    });
  }

  // Arabic-Indic digits typed into a code or amount field are shown as the same Latin digits (the
  // server accepts both; this only keeps the field's pattern check and the display consistent).
  function normalizeDigitFields() {
    document.querySelectorAll('input[inputmode="numeric"], input[inputmode="decimal"]').forEach(function (input) {
      input.addEventListener('input', function () {
        var v = input.value.replace(/[\u0660-\u0669]/g, function (d) { return String(d.charCodeAt(0) - 0x0660); })
          .replace(/[\u06F0-\u06F9]/g, function (d) { return String(d.charCodeAt(0) - 0x06F0); })
          .replace(/\u066B/g, '.').replace(/\u066C/g, '');
        if (v !== input.value) input.value = v;
      });
    });
  }

  hideRevealedCard();
  listen();
  focusErrorSummary();
  idleWarning();
  copyButtons();
  normalizeDigitFields();
})();
