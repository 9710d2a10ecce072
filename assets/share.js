// The share box's copy button (pages/share.html): copies the link field and says so.
// Without a script, or without a clipboard, the button stays hidden and the field, read
// only, can be selected and copied by hand.
(function () {
  var button = document.getElementById("share-copy");
  var field = document.getElementById("share-link");
  var status = document.getElementById("share-status");
  if (!button || !field || !status || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(field.value).then(
      function () { status.textContent = button.getAttribute("data-copied"); },
      function () { field.select(); }
    );
  });
})();
