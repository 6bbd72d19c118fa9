// The admin's controls that Django's scripts build (select2's autocompletes, the
// two-list pickers of filter_horizontal) come without a name for screen readers: each
// gets its field's label, including the ones added later (a new inline row, a choice).

function labelText(select) {
  const label = select.id && document.querySelector(`label[for="${CSS.escape(select.id)}"]`);
  if (label) {
    return { label, text: label.textContent.replace(/:\s*$/, "").trim() };
  }
  return { label: null, text: select.getAttribute("aria-label") || "" };
}

function labelAutocompletes() {
  for (const select of document.querySelectorAll("select.admin-autocomplete")) {
    const container = select.nextElementSibling;
    if (!container || !container.classList.contains("select2")) continue;
    const { label, text } = labelText(select);
    if (!text) continue;
    const combobox = container.querySelector('[role="combobox"]');
    const rendered = container.querySelector(".select2-selection__rendered");
    if (combobox && label && rendered && rendered.id) {
      // The field's name, then what is chosen: select2 names it by the choice alone.
      if (!label.id) label.id = `${select.id}-label`;
      const names = `${label.id} ${rendered.id}`;
      if (combobox.getAttribute("aria-labelledby") !== names) {
        combobox.setAttribute("aria-labelledby", names);
      }
    } else if (combobox && combobox.getAttribute("aria-label") !== text) {
      combobox.setAttribute("aria-label", text);
    }
    for (const field of container.querySelectorAll('[role="textbox"], .select2-search__field')) {
      if (field.getAttribute("aria-label") !== text) field.setAttribute("aria-label", text);
    }
  }
  // The pickers' search icons carry an aria-label, which a plain <span> may not.
  for (const icon of document.querySelectorAll(".help-tooltip[aria-label]:not([role])")) {
    icon.setAttribute("role", "img");
  }
}

labelAutocompletes();
// Only attributes are written above, so watching children does not wake this up again.
new MutationObserver(labelAutocompletes).observe(document.body, {
  childList: true,
  subtree: true,
});
