/**
 * The element with `id`, checked to be a `type` (a page that lost an element fails loudly at
 * start-up, not with a null dereference on the first click).
 *
 * @example
 * const button = byId('run', HTMLButtonElement);
 */
export function byId<T extends HTMLElement>(id: string, type: abstract new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`the page has no #${id} of type ${type.name}`);
  return element;
}

/** The value of the checked radio button named `name`, or `undefined` when none is checked. */
export function checkedValue(name: string): string | undefined {
  return document.querySelector<HTMLInputElement>(`input[type="radio"][name="${name}"]:checked`)?.value;
}

/** Calls `listener` with the new value whenever a radio button named `name` is checked. */
export function onRadioChange(name: string, listener: (value: string) => void): void {
  for (const radio of document.querySelectorAll<HTMLInputElement>(`input[type="radio"][name="${name}"]`)) {
    radio.addEventListener('change', () => radio.checked && listener(radio.value));
  }
}
