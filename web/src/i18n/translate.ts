import { en } from './en.ts';
import { type MessageKey, type Messages, zhCN } from './zh-CN.ts';

/** The languages of the app; zh-CN is the default. */
export const locales = ['zh-CN', 'en'] as const;
export type Locale = (typeof locales)[number];

/** Each language's catalogue. */
export const catalogues: Record<Locale, Messages> = { 'zh-CN': zhCN, en };

/** Values for the `{name}` parameters of a message. */
export type MessageParams = Record<string, string | number>;

/** A message with its `{name}` parameters filled in; an unknown parameter is left as written. */
export function translate(messages: Messages, key: MessageKey, params?: MessageParams): string {
  const text = messages[key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

/** Whether a string names a supported language. */
export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

/** Whether a string is a key of the catalogue (for keys built from API values, such as device kinds). */
export function isMessageKey(value: string): value is MessageKey {
  return Object.hasOwn(zhCN, value);
}
