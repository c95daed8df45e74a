// A manifest `command` written as one string → its words, by the POSIX shell's quoting rules
// (spaces separate words; '…' keeps everything; "…" keeps everything but \" \\ \$ \`; a
// backslash outside quotes keeps the next character). Nothing else of the shell applies: no
// shell ever sees these words, they become the container's argv one by one.
//
// Text that a shell would have read as a second command, a pipe, a redirection or a
// substitution (; | & < > ( ) ` and an unquoted # or line break) is refused rather than taken
// literally: whoever wrote it expected a shell, and a silent literal would be a surprise too.
// hitc's own variables (${…}, $$) are left untouched for the caller to fill in per word, so a
// value with spaces or `;` stays inside its one word.

export class CommandWordsError extends Error {}

const OPERATORS = new Set([';', '|', '&', '<', '>', '(', ')', '`']);
const HINT_SHELL = 'to run a shell inside the container, write the command as a list: ["sh", "-c", "…"]';

export function commandWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  const src = text.trim();
  const fail = (what: string): never => {
    throw new CommandWordsError(`${what} in command "${src}": hitc runs no shell for a command (${HINT_SHELL})`);
  };
  // ${…} and $$ are hitc's, whatever the quotes around them: copied as they are
  const dollar = (i: number): number => {
    const next = src[i + 1];
    if (next === '{') {
      const close = src.indexOf('}', i + 2);
      if (close < 0) return fail('an unclosed ${');
      word += src.slice(i, close + 1);
      return close;
    }
    if (next === '$') {
      word += '$$';
      return i + 1;
    }
    if (next === '(') return fail('a $(…) substitution');
    word += '$'; // a bare $NAME: the variable check reports it
    return i;
  };
  for (let i = 0; i < src.length; i++) {
    const ch = src[i] as string;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      if (ch === '\n' || ch === '\r') fail('a line break (a shell would start a new command there)');
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    if (ch === '#' && !inWord) fail('a # comment');
    inWord = true;
    if (ch === '\\') {
      if (i + 1 >= src.length) fail('a trailing backslash');
      const next = src[i + 1] as string;
      if (next === '\n') fail('a line continuation');
      word += next === '$' ? '$$' : next; // a literal $, in hitc's spelling
      i++;
    } else if (ch === "'") {
      const close = src.indexOf("'", i + 1);
      if (close < 0) fail('an unclosed \'');
      word += src.slice(i + 1, close);
      i = close;
    } else if (ch === '"') {
      let j = i + 1;
      for (; j < src.length && src[j] !== '"'; j++) {
        const c = src[j] as string;
        if (c === '\\' && j + 1 < src.length && '"\\$`\n'.includes(src[j + 1] as string)) {
          if (src[j + 1] === '$') word += '$$'; // a literal $, in hitc's spelling
          else if (src[j + 1] !== '\n') word += src[j + 1];
          j++;
        } else if (c === '`') fail('a `…` substitution');
        else if (c === '$') j = dollar(j);
        else word += c;
      }
      if (j >= src.length) fail('an unclosed "');
      i = j;
    } else if (ch === '$') i = dollar(i);
    else if (OPERATORS.has(ch)) fail(`"${ch}"`);
    else word += ch;
  }
  if (inWord) words.push(word);
  return words;
}
