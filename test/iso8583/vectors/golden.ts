// Golden byte vectors, one per message type, written by hand from the field table (SPEC §10) — the
// bitmaps worked out bit by bit in the comments — not produced by the codec they test. Each vector
// is its wire bytes as segments ("a:" ASCII, "x:" hex) and the field values unpack must return.
// The MACs were computed once with HMAC-SHA256 under VECTOR_SECRET and are checked in as bytes.
export const VECTOR_SECRET = 'vector-secret-0123456789';

export interface GoldenVector {
  name: string;
  segments: string[];
  mti: string;
  /** Text fields as on the wire (padding kept); binary fields ("b") as hex. */
  fields: Record<number, string>;
  /** The vector ends with a MAC made with VECTOR_SECRET. */
  mac: boolean;
}

export const bytesOf = (segments: string[]) =>
  Buffer.concat(segments.map((s) => (s.startsWith('x:') ? Buffer.from(s.slice(2), 'hex') : Buffer.from(s.slice(2), 'latin1'))));

export const GOLDEN: GoldenVector[] = [
  {
    name: '0800 sign-on',
    // primary: bit 1 (secondary) 0x80 + DE 7 0x02 = 82 | DE 11 = 20 | 00 00 00 | DE 48 = 01 | 00 00
    // secondary: DE 70 = 04 in DE 65-72 | … | DE 128 = 01
    segments: ['a:0800', 'x:8220000000010000', 'x:0400000000000001', 'a:1123091500', 'a:000001',
      'a:012', 'a:0108net_test', 'a:001', 'x:AD924FF1AF2565AF'],
    mti: '0800',
    fields: { 7: '1123091500', 11: '000001', 48: '0108net_test', 70: '001', 128: 'AD924FF1AF2565AF' },
    mac: true,
  },
  {
    name: '0810 sign-on answer',
    // primary: 82 | 20 | 00 00 | DE 39 = 02 in DE 33-40 | 00 00 00; secondary as for 0800
    segments: ['a:0810', 'x:8220000002000000', 'x:0400000000000001', 'a:1123091500', 'a:000001', 'a:00', 'a:001', 'x:D09EBCFA4C7AB50E'],
    mti: '0810',
    fields: { 7: '1123091500', 11: '000001', 39: '00', 70: '001', 128: 'D09EBCFA4C7AB50E' },
    mac: true,
  },
  {
    name: '0800 echo before sign-on (no MAC)',
    segments: ['a:0800', 'x:8220000000000000', 'x:0400000000000000', 'a:1123091500', 'a:000002', 'a:301'],
    mti: '0800',
    fields: { 7: '1123091500', 11: '000002', 70: '301' },
    mac: false,
  },
  {
    name: '0100 authorization',
    // DE 2,3,4,7 = 40+20+10+02 = 72 | DE 11 20 + DE 14 04 = 24 | DE 18 40 + DE 22 04 = 44 |
    // DE 25 80 + DE 32 01 = 81 | DE 37 = 08 | DE 41 80 + 42 40 + 43 20 + 48 01 = E1 | DE 49 = 80 | DE 64 = 01
    segments: ['a:0100', 'x:7224448108E18001', 'a:164657810000000000', 'a:000000', 'a:000000012500', 'a:1123091500',
      'a:000123', 'a:2911', 'a:5732', 'a:812', 'a:59', 'a:06412345', 'a:633012345678', 'a:TERM0001', 'a:M-1001         ',
      'a:Gulf Books Online        Kuwait City  KW', 'a:020', 'a:9203123', 'a:1003web', 'a:420207', 'a:414', 'x:E8B5D72DFA6CADF3'],
    mti: '0100',
    fields: {
      2: '4657810000000000', 3: '000000', 4: '000000012500', 7: '1123091500', 11: '000123', 14: '2911', 18: '5732',
      22: '812', 25: '59', 32: '412345', 37: '633012345678', 41: 'TERM0001', 42: 'M-1001         ',
      43: 'Gulf Books Online        Kuwait City  KW', 48: '92031231003web420207', 49: '414', 64: 'E8B5D72DFA6CADF3',
    },
    mac: true,
  },
  {
    name: '0110 authorization answer',
    // DE 2,3,4,6,7 = 40+20+10+04+02 = 76 | DE 11 = 20 | 00 | DE 32 = 01 | DE 37 08 + 38 04 + 39 02 = 0E |
    // DE 41 80 + 42 40 + 48 01 = C1 | DE 49 80 + 51 20 = A0 | DE 64 = 01
    segments: ['a:0110', 'x:762000010EC1A001', 'a:16465781******0000', 'a:000000', 'a:000000012500', 'a:000000012500',
      'a:1123091500', 'a:000123', 'a:06412345', 'a:633012345678', 'a:A1B2C3', 'a:00', 'a:TERM0001', 'a:M-1001         ',
      'a:024', 'a:6120auth_0123456789abcde', 'a:414', 'a:414', 'x:216245F9BE8EDFB7'],
    mti: '0110',
    fields: {
      2: '465781******0000', 3: '000000', 4: '000000012500', 6: '000000012500', 7: '1123091500', 11: '000123',
      32: '412345', 37: '633012345678', 38: 'A1B2C3', 39: '00', 41: 'TERM0001', 42: 'M-1001         ',
      48: '6120auth_0123456789abcde', 49: '414', 51: '414', 64: '216245F9BE8EDFB7',
    },
    mac: true,
  },
  {
    name: '0120 authorization advice',
    // as 0100 without 14/41/43/48 and with 38, 39: DE 2,3,4,7 = 72 | DE 11 = 20 | DE 18 40 + 22 04 = 44 |
    // DE 25 80 + 32 01 = 81 | DE 37 08 + 38 04 + 39 02 = 0E | DE 42 = 40 | DE 49 = 80 | DE 64 = 01
    segments: ['a:0120', 'x:722044810E408001', 'a:164657810000000000', 'a:000000', 'a:000000012500', 'a:1123091500',
      'a:000124', 'a:5732', 'a:812', 'a:59', 'a:06412345', 'a:633012345679', 'a:ZX9Q01', 'a:00', 'a:M-1001         ',
      'a:414', 'x:CFB8B36074B6F398'],
    mti: '0120',
    fields: {
      2: '4657810000000000', 3: '000000', 4: '000000012500', 7: '1123091500', 11: '000124', 18: '5732', 22: '812',
      25: '59', 32: '412345', 37: '633012345679', 38: 'ZX9Q01', 39: '00', 42: 'M-1001         ', 49: '414', 64: 'CFB8B36074B6F398',
    },
    mac: true,
  },
  {
    name: '0400 reversal',
    // primary: secondary 80 + DE 3,4,7 = 20+10+02 → B2 | DE 11 = 20 | 00 | DE 32 = 01 | DE 37 = 08 | 00 00 00
    // secondary: DE 90 40 + DE 95 02 = 42 in DE 89-96 | DE 128 = 01
    segments: ['a:0400', 'x:B220000108000000', 'x:0000004200000001', 'a:000000', 'a:000000012500', 'a:1123093000',
      'a:000200', 'a:06412345', 'a:633012345678', 'a:0100000123112309150000000412345' + '00000000000',
      'a:000000005000' + '0'.repeat(30), 'x:84223726EE81D83B'],
    mti: '0400',
    fields: {
      3: '000000', 4: '000000012500', 7: '1123093000', 11: '000200', 32: '412345', 37: '633012345678',
      90: '010000012311230915000000041234500000000000', 95: '000000005000' + '0'.repeat(30), 128: '84223726EE81D83B',
    },
    mac: true,
  },
  {
    name: '0410 reversal answer',
    // DE 3,4,7 = 32 | DE 11 = 20 | 00 | DE 32 = 01 | DE 37 08 + 39 02 = 0A | DE 48 = 01 | DE 51 = 20 | DE 64 = 01
    segments: ['a:0410', 'x:322000010A012001', 'a:000000', 'a:000000012500', 'a:1123093000', 'a:000200', 'a:06412345',
      'a:633012345678', 'a:00', 'a:024', 'a:6120auth_0123456789abcde', 'a:414', 'x:BA6A4EAEACA3A699'],
    mti: '0410',
    fields: {
      3: '000000', 4: '000000012500', 7: '1123093000', 11: '000200', 32: '412345', 37: '633012345678', 39: '00',
      48: '6120auth_0123456789abcde', 51: '414', 64: 'BA6A4EAEACA3A699',
    },
    mac: true,
  },
  {
    name: '0420 reversal advice, PIN block present',
    // DE 7 = 02 | DE 11 = 20 | 00 | DE 32 = 01 | 00 | 00 | DE 52 = 10 in DE 49-56 | 00; secondary: DE 90 = 40 | DE 128 = 01
    segments: ['a:0420', 'x:8220000100001000', 'x:0000004000000001', 'a:1123093100', 'a:000201', 'a:06412345',
      'x:0102030405060708', 'a:010000012311230915000000041234500000000000', 'x:91A40B6D0ACE5ECB'],
    mti: '0420',
    fields: { 7: '1123093100', 11: '000201', 32: '412345', 52: '0102030405060708', 90: '010000012311230915000000041234500000000000', 128: '91A40B6D0ACE5ECB' },
    mac: true,
  },
];
