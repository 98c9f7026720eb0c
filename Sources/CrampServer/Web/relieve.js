// The relief timer: counts each hold and rest down, announces the changes to screen readers
// through the status region (at the start, halfway, the last 5 seconds and the end, not every
// second), and can beep at the end of each hold. Without JavaScript the steps say the holds in words.
(function () {
  "use strict";
  // How long the cramp took to ease: from this page opening to "log it", if under an hour
  // (a page left open longer timed nothing, and the log asks instead).
  var opened = Date.now();
  document.querySelectorAll(".relieve-log form").forEach(function (form) {
    form.addEventListener("submit", function () {
      var seconds = Math.round((Date.now() - opened) / 1000);
      form.querySelector(".elapsed").value = seconds >= 1 && seconds <= 3600 ? String(seconds) : "";
    });
  });
  var audio = null;
  function beep() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var tone = audio.createOscillator();
      var gain = audio.createGain();
      tone.frequency.value = 880;
      gain.gain.value = 0.2;
      tone.connect(gain);
      gain.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.25);
    } catch (error) { /* no sound available: the status text still says it */ }
  }
  // Timers on the page, and those app.js puts in later (the offline page's relief for the
  // person signed in, kept on the phone).
  function bind() {
    document.querySelectorAll(".timer:not([data-bound])").forEach(function (timer) {
      timer.dataset.bound = "1";
      var hold = Number(timer.dataset.hold), repeats = Number(timer.dataset.repeats), rest = Number(timer.dataset.rest);
      var count = timer.querySelector(".timer-count"), bar = timer.querySelector("progress");
      var status = timer.querySelector(".timer-status"), start = timer.querySelector(".timer-start");
      var sound = timer.querySelector(".timer-sound");
      start.hidden = false;
      timer.querySelector(".timer-sound-label").hidden = false;
      var running = null;
      function phase(label, seconds, holding, next) {
        var ends = Date.now() + seconds * 1000, announced = {};
        bar.max = seconds;
        status.textContent = label + ": " + seconds + " seconds.";
        function tick() {
          var left = Math.max(0, Math.ceil((ends - Date.now()) / 1000));
          count.textContent = left;
          bar.value = seconds - left;
          if (holding && left > 0 && (left === Math.ceil(seconds / 2) || left <= 5) && !announced[left] && left !== seconds) {
            announced[left] = true;
            status.textContent = left + " seconds left.";
          }
          if (left === 0) {
            clearInterval(running);
            running = null;
            next();
          }
        }
        tick();
        running = setInterval(tick, 250);
      }
      function round(n) {
        phase("Hold " + n + " of " + repeats, hold, true, function () {
          if (sound.checked) { beep(); }
          if (n < repeats) {
            phase("Hold " + n + " done. Rest", rest, false, function () { round(n + 1); });
          } else {
            status.textContent = "All " + repeats + " holds done. Well done.";
            start.textContent = "Start again";
            start.disabled = false;
          }
        });
      }
      start.addEventListener("click", function () {
        if (running) { return; }
        start.disabled = true;
        round(1);
      });
    });
  }
  bind();
  document.addEventListener("crampcare:relief", bind);
})();
