// Runs before the page is drawn: marks that scripts run, so what they reveal on request
// (the sources behind each reason) starts hidden instead of flashing.
document.documentElement.classList.add("js");
