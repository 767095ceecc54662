// The typed dictionary: English defines the keys, Arabic must supply every one of them.
import type { Language } from '../../domain/money.js';
import { ar } from './ar.js';
import { demoAr } from './demo-ar.js';
import { demoEn } from './demo-en.js';
import { en } from './en.js';

/** Strings stay strings, templates keep their parameters, nested groups keep their keys. */
type Translated<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => string ? (...args: A) => string
    : T[K] extends string ? string
    : Translated<T[K]>;
};

export type Dict = Translated<typeof en>;
export type DemoDict = Translated<typeof demoEn>;
export type { Language };

const DICTS: Record<Language, Dict> = { en, ar };
const DEMO: Record<Language, DemoDict> = { en: demoEn, ar: demoAr };

export const dictionary = (language: Language): Dict => DICTS[language];
export const demoDictionary = (language: Language): DemoDict => DEMO[language];

/** The cardholder-facing text for a service error code. */
export function errorText(t: Dict, code: string): string {
  return (t.errors as Record<string, string>)[code] ?? t.errors.generic;
}
