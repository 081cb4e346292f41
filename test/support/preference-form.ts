/** The fields a browser would post from the `index`th form of a page: hidden inputs and checked boxes. */
export function formFields(html: string, index: number): [string, string][] {
  const form = [...html.matchAll(/<form\b[\s\S]*?<\/form>/g)][index]?.[0] ?? '';
  const fields: [string, string][] = [];
  for (const [tag] of form.matchAll(/<input\b[^>]*>/g)) {
    const attr = (name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
    const type = attr('type');
    if ((type === 'checkbox' || type === 'radio') && !/\schecked\b/.test(tag)) continue;
    fields.push([attr('name') ?? '', (attr('value') ?? '').replace(/&#39;/g, "'").replace(/&amp;/g, '&')]);
  }
  return fields;
}

/** `fields` with `name` set to `value` alone, as choosing one radio button does. */
export const withField = (fields: [string, string][], name: string, value: string): [string, string][] => [
  ...fields.filter(([n]) => n !== name),
  [name, value],
];
