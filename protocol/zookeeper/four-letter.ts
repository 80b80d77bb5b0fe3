// Four-letter words: an admin client sends four ASCII bytes where a framed client would send the
// int32 length of its ConnectRequest, and reads plain text until the server closes.

export const FOUR_LETTER_WORDS = [
  'ruok',
  'stat',
  'srvr',
  'mntr',
  'conf',
  'cons',
  'envi',
  'wchs',
  'wchc',
  'wchp',
  'dump',
  'isro',
  'dirs',
] as const;
export type FourLetterWord = (typeof FOUR_LETTER_WORDS)[number];

const BY_CODE = new Map<number, FourLetterWord>(
  FOUR_LETTER_WORDS.map((w) => [Buffer.from(w, 'latin1').readInt32BE(0), w]),
);

/** The word a connection's first four bytes spell, read as the int32 a frame length would be. */
export function fourLetterWordOf(lengthField: number): FourLetterWord | undefined {
  return BY_CODE.get(lengthField);
}
