// Live class view: asks the server every 2 s for sessions newer than the newest shown and
// adds or updates their rows, so a teacher sees children's dances arrive without reloading.
(function () {
  "use strict";
  var table = document.getElementById("sessions");
  if (!table) return;
  var classId = table.dataset.class;
  var after = parseInt(table.dataset.after || "0", 10);
  var body = table.querySelector("tbody");
  var state = document.getElementById("live-state");
  var playing = {};  // ids of sessions still being danced: polled again until they finish

  function cell(tr, text, href) {
    var td = document.createElement("td");
    if (href) { var a = document.createElement("a"); a.href = href; a.textContent = text; td.appendChild(a); }
    else td.textContent = text;
    tr.appendChild(td);
    return td;
  }
  function row(s) {
    var tr = document.createElement("tr");
    tr.dataset.id = s.id;
    tr.className = "new";
    cell(tr, s.child, "/children/" + s.child_id);
    var dance = cell(tr, s.choreography + (s.mode && s.mode !== "dance" ? " (" + s.mode + ")" : ""));
    if (s.kind === "practice") {
      var p = document.createElement("span"); p.className = "pill";
      p.textContent = "practice" + (s.speed !== 1 ? " at " + s.speed + "\u00d7" : "");
      dance.appendChild(document.createTextNode(" ")); dance.appendChild(p);
    }
    cell(tr, s.started);
    var st = cell(tr, ""); var pill = document.createElement("span");
    pill.className = "pill " + s.status; pill.textContent = s.status; st.appendChild(pill);
    cell(tr, s.points === null ? "" : s.points.toLocaleString("en-GB"));
    var stars = cell(tr, "\u2605".repeat(s.stars || 0)); stars.className = "stars";
    cell(tr, "report", "/sessions/" + s.id);
    return tr;
  }
  function poll() {
    var since = Math.min.apply(null, [after].concat(Object.keys(playing).map(function (k) { return k - 1; })));
    fetch("/classes/" + classId + "/feed?after=" + since, {credentials: "same-origin"})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        var empty = document.getElementById("no-sessions");
        data.sessions.forEach(function (s) {
          var old = body.querySelector('tr[data-id="' + s.id + '"]');
          var tr = row(s);
          if (old) { if (old.textContent !== tr.textContent) old.replaceWith(tr); }
          else body.insertBefore(tr, body.firstChild);
          if (s.status === "playing") playing[s.id] = true; else delete playing[s.id];
          if (s.id > after) after = s.id;
          if (empty) empty.remove();
        });
        if (state) state.textContent = "· live";
      })
      .catch(function () { if (state) state.textContent = "· reconnecting…"; })
      .finally(function () { setTimeout(poll, 2000); });
  }
  body.querySelectorAll("tr").forEach(function (tr) {
    if (tr.querySelector(".pill.playing")) playing[tr.dataset.id] = true;
  });
  setTimeout(poll, 2000);
})();
