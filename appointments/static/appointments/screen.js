// Calling screen: polls the office's feed every second and redraws the list of calls.
// Polling, not server-sent events: each poll is a short ordinary request, so the sync gunicorn
// workers are never held by open streams, proxies need nothing special, and a lost connection
// heals by itself at the next poll (no reload, no reconnect logic).
(function () {
  "use strict";
  var POLL_MS = 1000;
  var main = document.getElementById("main");
  var body = document.getElementById("called");
  var status = document.getElementById("connection");
  var toggle = document.getElementById("chime-toggle");
  var texts = document.getElementById("texts").dataset;
  var soundOn = window.localStorage.getItem("appointments.chime") !== "off";
  var lastSeen = null;
  var audio = null;

  function showToggle() {
    toggle.hidden = false;
    toggle.setAttribute("aria-pressed", soundOn ? "true" : "false");
    toggle.textContent = soundOn ? texts.soundOn : texts.soundOff;
  }

  function chime() {
    if (!soundOn) return;
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      [660, 880].forEach(function (frequency, index) {
        var oscillator = audio.createOscillator();
        var gain = audio.createGain();
        var start = audio.currentTime + index * 0.35;
        oscillator.frequency.value = frequency;
        gain.gain.setValueAtTime(0.3, start);
        gain.gain.exponentialRampToValueAtTime(0.001, start + 0.3);
        oscillator.connect(gain).connect(audio.destination);
        oscillator.start(start);
        oscillator.stop(start + 0.3);
      });
    } catch (error) {
      // No audio device: the screen still works.
    }
  }

  function cell(text) {
    var td = document.createElement("td");
    td.textContent = text;
    return td;
  }

  function draw(called) {
    body.replaceChildren();
    if (!called.length) {
      var row = document.createElement("tr");
      var td = cell(texts.empty);
      td.colSpan = 2;
      row.appendChild(td);
      body.appendChild(row);
      return;
    }
    called.forEach(function (item, index) {
      var row = document.createElement("tr");
      if (index === 0) row.className = "latest";
      row.appendChild(cell(item.number));
      row.appendChild(cell(item.desk));
      body.appendChild(row);
    });
  }

  function poll() {
    fetch(main.dataset.feed, { cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        status.textContent = "";
        var newest = data.called.length ? data.called[0].id + "@" + data.called[0].announced_at : "";
        if (lastSeen !== null && newest && newest !== lastSeen) chime();
        if (newest !== lastSeen) draw(data.called);
        lastSeen = newest;
      })
      .catch(function () {
        status.textContent = texts.offline;
      })
      .finally(function () {
        window.setTimeout(poll, POLL_MS);
      });
  }

  toggle.addEventListener("click", function () {
    soundOn = !soundOn;
    window.localStorage.setItem("appointments.chime", soundOn ? "on" : "off");
    showToggle();
  });
  showToggle();
  poll();
})();
