// The demo shop's one script: forget that this browser answered (the widget
// keeps that in localStorage under "anbefal"), so the survey shows again.
document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("ask-again").addEventListener("click", () => {
    localStorage.removeItem("anbefal");
    location.reload();
  });
});
