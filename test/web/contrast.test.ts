// WCAG 2.1 AA contrast of the stylesheet, computed with the WCAG formula from the colours the
// stylesheet itself declares (custom properties resolved): 4.5:1 for text, 3:1 for large text and
// for what identifies a control or its state (borders of inputs, the focus indicator, the bar).
// Changing a colour in app.css re-checks every pair below that uses it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const CSS = readFileSync(new URL('../../src/web/assets/app.css', import.meta.url), 'utf8');

type Rgba = [number, number, number, number];

/** The stylesheet without comments, split into top-level rules and the rules inside @media blocks. */
function split(css: string): { top: string; media: string } {
  const text = css.replace(/\/\*[\s\S]*?\*\//g, '');
  let top = '';
  let media = '';
  for (let i = 0; i < text.length;) {
    const at = text.indexOf('@', i);
    if (at < 0) { top += text.slice(i); break; }
    top += text.slice(i, at);
    const open = text.indexOf('{', at);
    let j = open + 1;
    for (let depth = 1; depth > 0; j++) {
      if (text[j] === '{') depth++;
      else if (text[j] === '}') depth--;
    }
    if (text.startsWith('@media', at)) media += text.slice(open + 1, j - 1);
    i = j; // @keyframes are left out: an animation's first frame is checked as a pair below
  }
  return { top, media };
}

/** selector → property → value. */
function readRules(css: string): Map<string, Map<string, string>> {
  const rules = new Map<string, Map<string, string>>();
  for (const [, selectors, body] of css.matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
    for (const selector of selectors.split(',').map((s) => s.trim().replace(/\s+/g, ' '))) {
      const props = rules.get(selector) ?? new Map<string, string>();
      for (const declaration of body.split(';')) {
        const colon = declaration.indexOf(':');
        if (colon > 0) props.set(declaration.slice(0, colon).trim(), declaration.slice(colon + 1).trim());
      }
      rules.set(selector, props);
    }
  }
  return rules;
}

const PARTS = split(CSS);
/** The wide-screen rules; MEDIA holds the phone-width ones (looked up when a selector is only there). */
const RULES = readRules(PARTS.top);
const MEDIA = readRules(PARTS.media);
const VARS = RULES.get(':root')!;

function resolve(value: string): string {
  return value.replace(/var\((--[\w-]+)\)/g, (_, name: string) => {
    const found = VARS.get(name);
    if (!found) throw new Error(`${name} is not defined in :root`);
    return resolve(found);
  });
}

function parseColour(token: string): Rgba {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(token);
  if (hex) {
    const h = hex[1].length === 3 ? [...hex[1]].map((c) => c + c).join('') : hex[1];
    return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)).concat(1) as Rgba;
  }
  const rgba = /^rgba?\(([^)]+)\)$/.exec(token);
  if (rgba) {
    const [r, g, b, a = '1'] = rgba[1].split(',').map((s) => s.trim());
    return [Number(r), Number(g), Number(b), Number(a)];
  }
  throw new Error(`not a colour: ${token}`);
}

/** Every colour in a declaration (a gradient has several), custom properties resolved. */
function coloursIn(value: string): Rgba[] {
  return (resolve(value).match(/#[0-9a-f]{3,6}\b|rgba?\([^)]+\)/gi) ?? []).map(parseColour);
}

/** The colour(s) a rule gives a property, e.g. ('.button.primary', 'background'). */
function declared(selector: string, property: string): Rgba[] {
  const value = RULES.get(selector)?.get(property) ?? MEDIA.get(selector)?.get(property);
  if (value === undefined) throw new Error(`${selector} { ${property} } is not in app.css`);
  const colours = coloursIn(value);
  if (colours.length === 0) throw new Error(`${selector} { ${property}: ${value} } has no colour`);
  return colours;
}

/** A half-transparent colour as seen over an opaque one. */
const over = (top: Rgba, base: Rgba): Rgba => [0, 1, 2].map((i) => top[i] * top[3] + base[i] * (1 - top[3])).concat(1) as Rgba;

function luminance([r, g, b]: Rgba): number {
  const channel = (v: number) => { const c = v / 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

export function contrast(a: Rgba, b: Rgba): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

const TEXT = 4.5;
const LARGE_OR_UI = 3;
const WHITE = parseColour('#ffffff');
const at = (selector: string, property: string) => () => declared(selector, property);
const fixed = (hex: string) => () => [parseColour(hex)];

/** [what, foreground, background, minimum]: every combination the pages put on screen. */
const PAIRS: [string, () => Rgba[], () => Rgba[], number][] = [
  ['body text on the page', at('body', 'color'), at('body', 'background'), TEXT],
  ['body text on a panel', at('body', 'color'), at('.panel', 'background'), TEXT],
  ['hints on a panel', at('.hint', 'color'), at('.panel', 'background'), TEXT],
  ['hints on the page', at('.hint', 'color'), at('body', 'background'), TEXT],
  ['figure labels and table headings', at('th', 'color'), at('.panel', 'background'), TEXT],
  ['empty-state text', at('.empty', 'color'), at('.panel', 'background'), TEXT],
  ['links on a panel', at('a', 'color'), at('.panel', 'background'), TEXT],
  ['links on the page', at('a', 'color'), at('body', 'background'), TEXT],
  ['links in an info notice', at('a', 'color'), at('.notice-info', 'background'), TEXT],
  ['hovered links', at('a:hover', 'color'), at('.panel', 'background'), TEXT],
  ['header text', at('.top', 'color'), at('.top', 'background'), TEXT],
  ['navigation links', at('.nav a', 'color'), at('.nav', 'background'), TEXT],
  ['hovered navigation links', at('.nav a:hover', 'color'), () => [over(declared('.nav a:hover', 'background')[0], declared('.nav', 'background')[0])], TEXT],
  ['language switch, hovered', at('.lang:hover', 'color'), at('.lang:hover', 'background'), TEXT],
  ['skip link', at('.skip', 'color'), at('.skip', 'background'), TEXT],
  ['secondary button', at('.button', 'color'), at('.button', 'background'), TEXT],
  ['primary button', at('.button.primary', 'color'), at('.button.primary', 'background'), TEXT],
  ['primary button, hovered', at('.button.primary:hover', 'color'), at('.button.primary:hover', 'background'), TEXT],
  ['danger button', at('.button.danger', 'color'), at('.button.danger', 'background'), TEXT],
  ['secondary button border', at('.button', 'border'), at('.panel', 'background'), LARGE_OR_UI],
  ['input border', at('input[type="text"]', 'border'), at('.panel', 'background'), LARGE_OR_UI],
  ['choice border', at('.choice', 'border'), at('.panel', 'background'), LARGE_OR_UI],
  ['field error', at('.field-error', 'color'), at('.panel', 'background'), TEXT],
  ['success notice text', at('body', 'color'), at('.notice-success', 'background'), TEXT],
  ['error notice text', at('body', 'color'), at('.notice-error', 'background'), TEXT],
  ['info notice text', at('body', 'color'), at('.notice-info', 'background'), TEXT],
  ['selected choice text', at('body', 'color'), at('.choice:has(input:checked)', 'background'), TEXT],
  ['card face (both gradient ends)', at('.card-face', 'color'), at('.card-face', 'background'), TEXT],
  ['frozen/blocked card face', at('.card-face', 'color'), at('.card-face.status-frozen', 'background'), TEXT],
  ['status badge: active', at('.badge-active', 'color'), at('.badge', 'background'), TEXT],
  ['status badge: frozen, lost, blocked', at('.badge-frozen', 'color'), at('.badge', 'background'), TEXT],
  ['exceed used', at('.exceed-used', 'color'), at('.panel', 'background'), TEXT],
  ['exceed unused', at('.exceed-unused', 'color'), at('.panel', 'background'), TEXT],
  ['channel yes mark', at('.channels .yes::before', 'color'), at('.panel', 'background'), TEXT],
  ['channel no mark', at('.channels .no::before', 'color'), at('.panel', 'background'), TEXT],
  ['available bar fill', at('.bar-fill', 'background'), at('.bar', 'background'), LARGE_OR_UI],
  ['available bar fill, low', at('.bar-fill.low', 'background'), at('.bar', 'background'), LARGE_OR_UI],
  ['available bar outline', at('.bar', 'border'), at('.panel', 'background'), LARGE_OR_UI],
  ['alert label in an alert notification', at('.tag', 'color'), at('.notification.alert', 'background'), TEXT],
  ['alert notification text', at('body', 'color'), at('.notification.alert', 'background'), TEXT],
  ['alert notification time', at('.notification time', 'color'), at('.notification.alert', 'background'), TEXT],
  ['blocked transaction row text', at('body', 'color'), at('tr.blocked', 'background'), TEXT],
  ['blocked transaction label', at('.tag', 'color'), at('tr.blocked', 'background'), TEXT],
  ['phone-width row labels in a blocked row', at('table.responsive td::before', 'color'), at('tr.blocked', 'background'), TEXT],
  ['blocked row marker', at('tr.blocked td:first-child', 'box-shadow'), at('tr.blocked', 'background'), LARGE_OR_UI],
  ['a new notification as it arrives', at('body', 'color'), at(':root', '--focus'), TEXT],
  ['toast', at('body', 'color'), at('.toast', 'background'), TEXT],
  ['toast alert label', at('.toast strong', 'color'), at('.toast', 'background'), TEXT],
  ['revealed secret key', at('body', 'color'), at('.secret', 'background'), TEXT],
  ['terms box', at('body', 'color'), at('.terms', 'background'), TEXT],
  ['demo note', at('body', 'color'), at('.demo-note', 'background'), TEXT],
  ['shop result, approved', at('body', 'color'), at('.result.approved', 'background'), TEXT],
  ['shop result, declined', at('body', 'color'), at('.result.declined', 'background'), TEXT],
  ['terminal screen', at('.terminal-screen', 'color'), at('.terminal-screen', 'background'), TEXT],
  ['terminal screen, refused', at('.terminal-screen.refused', 'color'), at('.terminal-screen.refused', 'background'), TEXT],
  ['statement months', at('a', 'color'), at('.panel', 'background'), TEXT],
  ['statement months marker', at('.hint', 'color'), fixed('#ffffff'), TEXT],
];

/** Where a focused control can sit: the focus ring (outline or its halo) must stand out on each. */
const FOCUS_BACKGROUNDS: [string, () => Rgba[]][] = [
  ['page', at('body', 'background')], ['panel', at('.panel', 'background')], ['header', at('.top', 'background')],
  ['navigation', at('.nav', 'background')], ['primary button', at('.button.primary', 'background')],
  ['info notice', at('.notice-info', 'background')], ['alert notification', at('.notification.alert', 'background')],
];

describe('WCAG AA contrast of app.css', () => {
  it.each(PAIRS)('%s', (_what, fg, bg, minimum) => {
    for (const background of bg()) {
      const base = background[3] < 1 ? over(background, WHITE) : background;
      for (const foreground of fg()) {
        const seen = foreground[3] < 1 ? over(foreground, base) : foreground;
        expect(contrast(seen, base)).toBeGreaterThanOrEqual(minimum);
      }
    }
  });

  it.each(FOCUS_BACKGROUNDS)('the focus indicator stands out on the %s', (_where, bg) => {
    const ring = [...declared(':focus-visible', 'outline'), ...declared(':focus-visible', 'box-shadow')];
    for (const background of bg()) {
      const best = Math.max(...ring.map((colour) => contrast(colour, background)));
      expect(best).toBeGreaterThanOrEqual(LARGE_OR_UI);
    }
  });

  it('every rule that sets both a text colour and a solid background passes on its own', () => {
    let checked = 0;
    for (const [selector, props] of RULES) {
      const colour = props.get('color');
      const background = props.get('background') ?? props.get('background-color');
      if (!colour || !background || colour === 'inherit') continue;
      const fgs = coloursIn(colour);
      const bgs = coloursIn(background).filter((c) => c[3] === 1);
      for (const fg of fgs) for (const bg of bgs) {
        checked += 1;
        expect(contrast(fg, bg), `${selector}`).toBeGreaterThanOrEqual(TEXT);
      }
    }
    expect(checked).toBeGreaterThan(8);
  });

  it('the formula: black on white is 21:1, a colour on itself 1:1, #767676 on white just passes', () => {
    expect(contrast(parseColour('#000'), WHITE)).toBeCloseTo(21, 5);
    expect(contrast(parseColour('#0b4f8a'), parseColour('#0b4f8a'))).toBe(1);
    expect(contrast(parseColour('#767676'), WHITE)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(parseColour('#777777'), WHITE)).toBeLessThan(4.5);
  });
});
