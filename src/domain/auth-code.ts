import { randomInt } from 'node:crypto';

const CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** 6 characters, digits and capital letters (SPEC §4). */
export function newAuthCode(): string {
  let code = '';
  for (let i = 0; i < 6; i++) code += CHARS[randomInt(CHARS.length)];
  return code;
}
