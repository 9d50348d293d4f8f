// xterm.js writes its theme and layout rules into <style> elements (textContent, innerText).
// Under the daemon's Content-Security-Policy (default-src 'self', no 'unsafe-inline') the browser
// refuses such inline styles: the terminal would lose its colours and row layout, and every
// update would be reported as a violation. Constructed style sheets are not inline styles, so
// the text of a <style> element goes into one of those instead, adopted by the document until
// the element is removed. This page has no <style> of its own; the shim only serves libraries.
const sheets = new WeakMap<HTMLStyleElement, { sheet: CSSStyleSheet; text: string }>();

function attach(element: HTMLStyleElement, text: string) {
  let entry = sheets.get(element);
  if (!entry) {
    entry = { sheet: new CSSStyleSheet(), text: '' };
    sheets.set(element, entry);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, entry.sheet];
  }
  entry.text = text;
  try {
    entry.sheet.replaceSync(text);
  } catch {
    // a rule the browser cannot parse: the rest of the page is unaffected
  }
}

function detach(element: HTMLStyleElement) {
  const entry = sheets.get(element);
  if (!entry) return;
  sheets.delete(element);
  document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== entry.sheet);
}

if (typeof CSSStyleSheet !== 'undefined' && 'replaceSync' in CSSStyleSheet.prototype) {
  for (const property of ['textContent', 'innerText'] as const) {
    Object.defineProperty(HTMLStyleElement.prototype, property, {
      configurable: true,
      get(this: HTMLStyleElement) {
        return sheets.get(this)?.text ?? '';
      },
      set(this: HTMLStyleElement, value: unknown) {
        attach(this, value == null ? '' : String(value));
      },
    });
  }
  const remove = Element.prototype.remove;
  HTMLStyleElement.prototype.remove = function (this: HTMLStyleElement) {
    detach(this);
    remove.call(this);
  };
}

export {};
