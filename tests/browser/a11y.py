"""What every page must pass in the browser: axe-core finds no serious or critical violation,
and on the phone layout nothing a finger must hit is smaller than 44 by 44 CSS pixels."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Page

AXE = "/static/vendor/axe-core-4.14.1/axe.min.js"
MIN_TARGET_PX = 44
SERIOUS = ("serious", "critical")

# Everything a finger must hit, measured by its box (a radio or checkbox by its label, which is
# what takes the tap). A link inside a sentence is exempt, as WCAG 2.5.5 exempts inline targets:
# its size is the text's.
SMALL_TARGETS_JS = """
(min) => {
  const seen = new Set();
  const small = [];
  const visible = (el) => {
    // checkVisibility also sees what a closed <details> hides (content-visibility).
    if (!el.checkVisibility({ visibilityProperty: true })) { return false; }
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  };
  const inSentence = (el) => {
    if (el.tagName !== "A" || getComputedStyle(el).display !== "inline") { return false; }
    let block = el.parentElement;
    while (block && getComputedStyle(block).display === "inline") { block = block.parentElement; }
    return !!block && block.textContent.trim().length > el.textContent.trim().length + 1;
  };
  const targets = document.querySelectorAll(
    "a[href], button, select, textarea, summary, input:not([type=hidden])"
  );
  for (let el of targets) {
    if ((el.type === "radio" || el.type === "checkbox") && el.closest("label")) {
      el = el.closest("label");
    }
    if (seen.has(el) || !visible(el) || inSentence(el) || el.closest(".skip")) { continue; }
    if (el.closest("[hidden]")) { continue; }
    seen.add(el);
    const box = el.getBoundingClientRect();
    if (box.width < min - 0.5 || box.height < min - 0.5) {
      const name = (el.textContent || el.getAttribute("aria-label") || el.name || "").trim();
      const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
      small.push(`${el.tagName.toLowerCase()} "${name.slice(0, 40)}" ${size}`);
    }
  }
  return small;
}
"""


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE)
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
          const result = await window.axe.run(document, { resultTypes: ["violations"] });
          return result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))
          }));
        }"""
    )
    return [v for v in found if v["impact"] in SERIOUS]


def small_targets(page: Page) -> list[str]:
    """Each tap target under 44 x 44 px, described; empty when there is none."""
    found: list[str] = page.evaluate(SMALL_TARGETS_JS, MIN_TARGET_PX)
    return found


def check_page(page: Page, *, phone: bool) -> None:
    """The page passes axe-core (no serious or critical violation) and, on a phone, has no tap
    target under 44 px."""
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {violations}"
    if phone:
        small = small_targets(page)
        assert small == [], f"{page.url}: tap targets under {MIN_TARGET_PX} px: {small}"
