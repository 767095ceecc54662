// Customers type digits the way their keyboard gives them: Arabic-Indic (٠–٩), Eastern
// Arabic-Indic (۰–۹, Persian and Urdu keyboards) and the Arabic decimal separator (٫) mean the same
// as 0–9 and "." in every code and amount field. One function, used by the banking API's schemas
// and by the pages' form parsing, so both accept exactly the same text.

const ARABIC_INDIC_ZERO = 0x0660;
const EASTERN_ARABIC_INDIC_ZERO = 0x06f0;

/** Maps Arabic-Indic digits to ASCII and the Arabic decimal mark (and thousands mark) to "." / "". */
export function normalizeDigits(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code >= ARABIC_INDIC_ZERO && code <= ARABIC_INDIC_ZERO + 9) out += String(code - ARABIC_INDIC_ZERO);
    else if (code >= EASTERN_ARABIC_INDIC_ZERO && code <= EASTERN_ARABIC_INDIC_ZERO + 9) out += String(code - EASTERN_ARABIC_INDIC_ZERO);
    else if (ch === '\u066b') out += '.'; // ARABIC DECIMAL SEPARATOR
    else if (ch === '\u066c') out += ''; // ARABIC THOUSANDS SEPARATOR
    else out += ch;
  }
  return out;
}
