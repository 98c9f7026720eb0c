// On every page: the service worker (the app shell for use offline), the queue of cramps noted
// with no network (IndexedDB, one record per cramp with an id made here, its owner and its local
// time with offset) sent by PUT /api/v1/episodes/{id} with If-None-Match: * while the same owner
// is signed in, and sign-out that settles the queue first and then clears it and the caches.
// Nothing here ever stores a page or an API answer.
(function () {
  "use strict";
  var DB = "crampcare", QUEUE = "queue", SETTINGS = "settings";
  var ownerMeta = document.querySelector('meta[name="crampcare-owner"]');
  var owner = ownerMeta ? ownerMeta.content : null;
  var emergencyMeta = document.querySelector('meta[name="crampcare-emergency"]');

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(function () { /* no offline shell: pages still work online */ });
  }

  function open() {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(QUEUE, { keyPath: "id" });
        request.result.createObjectStore(SETTINGS, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function run(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(store, mode);
        var result = work(tx.objectStore(store));
        tx.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
        tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }
  function all() { return run(QUEUE, "readonly", function (s) { return s.getAll(); }); }
  function put(item) { return run(QUEUE, "readwrite", function (s) { s.put(item); }); }
  function remove(id) { return run(QUEUE, "readwrite", function (s) { s["delete"](id); }); }
  function setting(key) {
    return run(SETTINGS, "readonly", function (s) { return s.get(key); }).then(function (r) { return r ? r.value : null; });
  }
  function remember(key, value) { return run(SETTINGS, "readwrite", function (s) { s.put({ key: key, value: value }); }); }
  // No one signed in: the offline page must not file a cramp under the last person's name, nor
  // show their relief.
  function forget() {
    return run(SETTINGS, "readwrite", function (s) { s["delete"]("owner"); s["delete"]("yours"); }).catch(function () {});
  }

  // The local time with its offset, as the journal keeps it: 2026-03-01T03:10:00+01:00.
  function localTime(date) {
    function two(n) { return (n < 10 ? "0" : "") + n; }
    var offset = -date.getTimezoneOffset(), sign = offset >= 0 ? "+" : "-";
    offset = Math.abs(offset);
    return date.getFullYear() + "-" + two(date.getMonth() + 1) + "-" + two(date.getDate()) + "T" + two(date.getHours()) + ":" +
      two(date.getMinutes()) + ":" + two(date.getSeconds()) + sign + two(Math.floor(offset / 60)) + ":" + two(offset % 60);
  }
  // The cramp's own start, as the journal's pages name it.
  function when(item) {
    var date = new Date((item.episode && item.episode.startedAt) || item.loggedAt);
    return isNaN(date) ? "" : date.toLocaleString([], { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  }

  // What is waiting, said on the page: plain words, one line, with what to do.
  var status = document.getElementById("queue-status");
  function show(lines) {
    if (!status) return;
    status.textContent = "";
    lines.forEach(function (line) {
      var p = document.createElement("p");
      if (line.href) {
        p.appendChild(document.createTextNode(line.text + " "));
        var a = document.createElement("a");
        a.href = line.href;
        a.textContent = line.link;
        p.appendChild(a);
      } else {
        p.textContent = line.text;
      }
      status.appendChild(p);
    });
    status.hidden = lines.length === 0;
  }
  function cramps(n) { return n === 1 ? "1 cramp" : n + " cramps"; }

  var sending = null;
  // Sends this owner's waiting cramps, one at a time. Sent (201, or 200: sent before and the
  // answer lost) leaves the queue; 409 (the same id with other details) and 410 (deleted
  // elsewhere) are said to the person; 401 keeps them and asks for sign-in; no network keeps them.
  function send() {
    if (sending) return sending;
    sending = all().then(function (items) {
      var mine = items.filter(function (item) { return owner && item.owner === owner; });
      var sent = [], lines = [], signIn = false, offline = false;
      var chain = Promise.resolve();
      mine.forEach(function (item) {
        chain = chain.then(function () {
          if (item.conflict || signIn || offline) return;
          return fetch("/api/v1/episodes/" + encodeURIComponent(item.id), {
            method: "PUT", credentials: "same-origin", cache: "no-store",
            headers: { "Content-Type": "application/json", "If-None-Match": "*" }, body: JSON.stringify(item.episode)
          }).then(function (response) {
            if (response.status === 201 || response.status === 200) { sent.push(item); return remove(item.id); }
            if (response.status === 401) { signIn = true; return forget(); }
            if (response.status === 410) {
              lines.push({ text: "A cramp noted offline (" + when(item) + ") was deleted on another device, so it was not saved again." });
              return remove(item.id);
            }
            if (response.status === 409) { item.conflict = true; return put(item); }
            if (response.status === 422) { item.conflict = true; item.problem = true; return put(item); }
          }, function () { offline = true; });
        });
      });
      return chain.then(function () { return all(); }).then(function (left) {
        var waiting = left.filter(function (item) { return item.owner === owner && !item.conflict; });
        var clashes = left.filter(function (item) { return item.owner === owner && item.conflict; });
        sent.forEach(function (item) {
          lines.push({ text: "Sent: the cramp you noted offline (" + when(item) + ").", href: "/journal/" + item.id + "/sent", link: "Answer its safety questions now" });
        });
        clashes.forEach(function (item) {
          lines.push({
            text: "A cramp noted offline (" + when(item) + ") could not be saved: " +
              (item.problem ? "some of its details were not accepted." : "it is already in your journal, with different details."),
            href: "/journal/" + item.id, link: "See what is saved"
          });
        });
        if (waiting.length) {
          lines.push({
            text: cramps(waiting.length) + " noted offline " + (waiting.length === 1 ? "is" : "are") + " waiting to be sent" +
              (signIn ? ": sign in to send " + (waiting.length === 1 ? "it." : "them.") : " when this phone can reach CrampCare again."),
            href: signIn ? "/signin?next=" + encodeURIComponent(location.pathname) : null, link: "Sign in"
          });
        }
        show(lines);
        return waiting.length;
      });
    }).catch(function () { return 0; }).then(function (n) { sending = null; return n; });
    return sending;
  }

  // What the offline page shows for this person: whose journal and the relief their last check
  // allowed, asked afresh on each page while signed in (no-store) and kept only here.
  var keeping = null, leaving = false;
  function keepYours() {
    var abort = window.AbortController ? new AbortController() : null;
    var job = fetch("/offline/yours", { credentials: "same-origin", cache: "no-store", signal: abort ? abort.signal : undefined })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (yours) {
        if (leaving || !yours || yours.owner !== owner) return;
        return remember("yours", { owner: yours.owner, whose: yours.whose || null, relief: yours.relief || null });
      })["catch"](function () {});
    keeping = { abort: abort, job: job };
    return job;
  }
  if (owner) {
    remember("owner", owner).catch(function () {});
    if (emergencyMeta) remember("emergency", emergencyMeta.content).catch(function () {});
    send().then(keepYours);
    window.addEventListener("online", send);
  } else if (!document.querySelector("form.night-log[data-offline]") && window.indexedDB && indexedDB.databases) {
    // Signed out (or the session ended) with cramps still waiting: they stay, and sign-in sends
    // them. Only that much is said: whose they are and what they hold stay on the phone.
    indexedDB.databases().then(function (dbs) {
      if (!dbs.some(function (db) { return db.name === DB; })) return;
      forget();
      return all().then(function (items) {
        if (items.length) {
          show([{ text: "Cramps noted offline on this phone are waiting to be sent.", href: "/signin?next=" + encodeURIComponent(location.pathname), link: "Sign in to send them" }]);
        }
      });
    }).catch(function () {});
  }

  // Sign-out settles the queue first: sent, or dropped only when the person says so; then the
  // queue and the caches are cleared (the server's Clear-Site-Data does the same). Every cramp
  // still on the phone counts, whoever noted it and whatever stopped it; offline, or when the
  // phone's store cannot be read, sign-out waits rather than lose anything.
  document.querySelectorAll("form.signout, form[data-signout]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.settled) return;
      event.preventDefault();
      if (!navigator.onLine) {
        window.alert("This phone is offline. Sign out when it is back online, so nothing you noted is lost.");
        return;
      }
      // Nothing of the person's may be written after the store is cleared.
      leaving = true;
      if (keeping && keeping.abort) keeping.abort.abort();
      (keeping ? keeping.job : Promise.resolve()).then(send).then(function () { return all(); }).then(function (left) {
        if (left.length > 0 && !window.confirm(cramps(left.length) + " noted offline on this phone " +
            (left.length === 1 ? "has" : "have") + " not been sent. Signing out deletes " + (left.length === 1 ? "it" : "them") +
            " from this phone.\n\nPress OK to delete " + (left.length === 1 ? "it" : "them") + " and sign out, or Cancel to stay signed in and keep " +
            (left.length === 1 ? "it." : "them."))) {
          return false;
        }
        return clearAll().then(function () { return true; });
      }, function () {
        // No IndexedDB at all (never used here): nothing can be waiting.
        return window.indexedDB ? window.confirm("CrampCare could not check for cramps noted offline on this phone. Sign out anyway?") : true;
      }).then(function (go) {
        if (!go) return;
        form.dataset.settled = "1";
        form.submit();
      });
    });
  });
  function clearAll() {
    var jobs = [];
    if (window.indexedDB) {
      jobs.push(new Promise(function (resolve) {
        var request = indexedDB.deleteDatabase(DB);
        request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
      }));
    }
    if (window.caches) {
      jobs.push(caches.keys().then(function (keys) { return Promise.all(keys.map(function (k) { return caches["delete"](k); })); }));
    }
    return Promise.all(jobs)["catch"](function () {});
  }

  // The offline page: a cramp noted here goes to the queue, never to a check. Its muscle, how
  // long, how bad, when and what helped, made into the journal's episode with an id of its own.
  // The night log: on the offline page it always goes to the queue; on the usual page, only when
  // the server cannot be reached at Save (a signal lost mid-log must not lose the cramp).
  var form = document.querySelector("form.night-log");
  if (!form) return;
  var offlinePage = form.hasAttribute("data-offline");
  var known = offlinePage ? null : owner;
  // The page was kept from another time: "now" and "in bed at night" are this phone's.
  function prefill() {
    var now = new Date(), started = form.querySelector('input[name="startedAt"]'), bed = form.querySelector('input[name="inBed"]');
    if (started) started.value = localTime(now).slice(0, 16);
    if (bed) bed.checked = now.getHours() >= 21 || now.getHours() < 7;
  }
  if (offlinePage) prefill();
  var touched = false;
  form.addEventListener("input", function () { touched = true; });
  if (offlinePage) setting("owner").then(function (value) {
    known = value;
    var note = document.getElementById("offline-owner");
    if (note) note.hidden = !!value;
    return value ? setting("yours") : null;
  }).then(function (yours) {
    if (yours && yours.owner === known) {
      var whose = document.getElementById("offline-whose");
      if (whose && yours.whose) {
        whose.textContent = "Cramps you note here go to the journal of " + yours.whose + ".";
        whose.hidden = false;
      }
      // The relief this person's last check allowed, made by the server's own template.
      var ease = document.getElementById("offline-ease");
      if (ease && yours.relief) {
        ease.innerHTML = yours.relief;
        document.dispatchEvent(new CustomEvent("crampcare:relief"));
      }
    }
    return setting("emergency");
  }).then(function (number) {
    if (!number) return;
    // The number for the person's region, saved while online; this page was made without it.
    document.querySelectorAll('a[href^="tel:"]').forEach(function (link) {
      link.href = "tel:" + number;
      (link.querySelector("strong") || link).textContent = number;
    });
  }).catch(function () {});
  function refreshWaiting() {
    all().then(function (items) {
      var mine = items.filter(function (item) { return item.owner === known; });
      show(mine.length ? [{ text: cramps(mine.length) + " noted on this phone " + (mine.length === 1 ? "is" : "are") + " waiting to be sent. " +
        "Nothing is sent or checked until you are online and signed in." }] : []);
    }).catch(function () {});
  }
  if (offlinePage) refreshWaiting();
  if (offlinePage && /[?&]kept=1/.test(location.search)) document.getElementById("offline-saved").hidden = false;
  // Back online: the real page again, whose script sends what waits (not while a cramp is being
  // typed in: a flaky signal must not wipe it).
  if (offlinePage) window.addEventListener("online", function () { if (!touched) location.reload(); });
  var errorBox = document.getElementById("offline-error");
  if (!errorBox) {
    errorBox = document.createElement("p");
    errorBox.className = "error";
    errorBox.setAttribute("role", "alert");
    errorBox.tabIndex = -1;
    errorBox.hidden = true;
    form.parentNode.insertBefore(errorBox, form);
  }
  function fail(field, text) {
    errorBox.textContent = text;
    errorBox.hidden = false;
    var target = document.getElementById(field);
    if (target) target.scrollIntoView({ block: "center" });
    errorBox.focus();
    return null;
  }
  function values(name) {
    return Array.prototype.map.call(form.querySelectorAll('input[name="' + name + '"]:checked'), function (input) { return input.value; });
  }
  function episode() {
    var muscles = values("muscle[]");
    if (!muscles.length) return fail("muscles", "Please choose which muscle cramped.");
    var chip = form.querySelector('input[name="duration"]:checked');
    var typed = (form.querySelector('input[name="howLong"]') || {}).value || "";
    var seconds = null, range = null;
    if (chip && chip.dataset.seconds) {
      seconds = Number(chip.dataset.seconds);
      range = chip.value;
    } else if (typed.trim()) {
      // Offline only a number of minutes, or "1 hour": the server reads the rest when online.
      var match = /^\s*(\d{1,4})\s*(m|min|mins|minutes?|h|hours?)?\s*$/i.exec(typed);
      if (!match) return fail("durationSeconds", "Type how long in minutes, such as 20, or hours, such as 1 hour.");
      seconds = Number(match[1]) * (/^h/i.test(match[2] || "") ? 3600 : 60);
      if (seconds < 1 || seconds > 7 * 86400) return fail("durationSeconds", "Type a length up to 7 days.");
    } else if (chip && chip.value === "over_10_min") {
      return fail("durationSeconds", "Please type how long it lasted, such as 20 minutes or 1 hour.");
    } else {
      return fail("durationSeconds", "Please choose how long it lasted.");
    }
    var now = new Date(), started = new Date(now.getTime() - seconds * 1000);
    if ((form.querySelector('input[name="when"]:checked') || {}).value === "earlier") {
      var text = (form.querySelector('input[name="startedAt"]') || {}).value || "";
      var given = text ? new Date(text) : null;
      if (!given || isNaN(given) || given > now) return fail("startedAt", "Please give the date and time it started, up to now.");
      started = given;
    }
    var severity = values("severity")[0];
    var body = {
      id: crypto.randomUUID(), startedAt: localTime(started), durationSeconds: seconds, muscles: muscles,
      reliefs: values("helped[]").map(function (code) { return { technique: code, outcome: "helped" }; }),
      safetyQuestions: "not_answered"
    };
    if (range) body.durationRange = range;
    if (severity !== undefined) body.severity = Number(severity);
    if (values("inBed").length) body.onset = "sleep";
    return body;
  }
  function queue() {
    errorBox.hidden = true;
    if (!known) {
      fail("muscles", "This phone does not know whose journal this is yet: open CrampCare once while online (and sign in, if you use an account), then cramps noted offline can be kept for you.");
      return;
    }
    var made = episode();
    if (!made) return;
    put({ id: made.id, owner: known, loggedAt: localTime(new Date()), episode: made }).then(function () {
      if (!offlinePage) { location.href = "/offline?kept=1"; return; }
      form.reset();
      prefill();
      touched = false;
      var done = document.getElementById("offline-saved");
      done.hidden = false;
      done.focus();
      refreshWaiting();
    }, function () {
      fail("muscles", "This phone could not keep the cramp. Please write it down.");
    });
  }
  // Whether the server answers, within a few seconds.
  function reachable() {
    if (!navigator.onLine) return Promise.resolve(false);
    var abort = window.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () { if (abort) abort.abort(); }, 4000);
    return fetch("/health", { cache: "no-store", signal: abort ? abort.signal : undefined })
      .then(function (response) { return response.ok; }, function () { return false; })
      .then(function (ok) { clearTimeout(timer); return ok; });
  }
  form.addEventListener("submit", function (event) {
    if (form.dataset.checked) return;
    event.preventDefault();
    if (offlinePage) { queue(); return; }
    reachable().then(function (ok) {
      // A carer's log is for someone else's diary: this phone's queue is its own person's.
      if (!ok && form.hasAttribute("data-for")) {
        fail("muscles", "Not sent: CrampCare cannot be reached. Nothing was saved; try again when you are online. If the signs are urgent, act on them now.");
        return;
      }
      if (!ok) { queue(); return; }
      form.dataset.checked = "1";
      form.submit();
    });
  });
})();
