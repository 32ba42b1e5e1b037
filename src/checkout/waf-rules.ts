/**
 * The rules of ECPay's CDN/WAF (docs/protocol.md §5.7, "綠界CDN會導致阻擋特殊字元或規則"): a parameter that looks like a system
 * command is blocked before it reaches ECPay (error 10400011), after the customer has left the shop. We detect the
 * same patterns up front and name the text that trips them, so a product called "Echo Dot" or "CD/DVD drive" is
 * caught while the customer is still in the shop.
 */

/** Command words blocked wherever they appear as a word (first list of docs/protocol.md §5.7). */
const COMMAND_WORDS: readonly RegExp[] = [
  /\bnet\s+localgroup\b/i,
  /\b(?:net|nmap|nc|telnet|wguest|wsh|rcmd|ftp|cmd32|cmd)\.exe\b/i,
  /\btrace(?:route|rt)\b/i,
  /\btclsh(?:8)?\b/i,
  /\btftp\b/i,
  /\becho\b/i,
  // "cmd" with the /c switch; "cd" followed by a slash, backslash or "..";  "chmod" with +x.
  /\bcmd(?:\.exe)?\s*\/c\b/i,
  /\bcd\s*(?:\/|\\|\.\.)/i,
  /\bchmod\s*\+x/i,
];

/** Commands blocked next to a shell separator `;`, `|` or a backquote (second list of docs/protocol.md §5.7). */
const SHELL_COMMANDS = [
  'chgrp',
  'chmod',
  'chown',
  'csh',
  'cmd',
  'cpp',
  'passwd',
  'python',
  'perl',
  'ping',
  'ps',
  'nasm',
  'nmap',
  'nc',
  'finger',
  'ftp',
  'kill',
  'mail',
  'xterm',
  'rm',
  'ls',
  'lsof',
  'telnet',
  'uname',
  'echo',
  'id',
  'g\\+\\+',
  'gcc',
].join('|');

// A separator then a command ("x; ls", "a|id", "`uname`"), or a command then a separator ("ls;", "rm |").
const SHELL_APPENDED = new RegExp(
  `[;|\`]\\s*(?:${SHELL_COMMANDS})(?![\\w+])|(?<![\\w+])(?:${SHELL_COMMANDS})\\s*[;|\`]`,
  'i',
);

/**
 * The text of `value` that ECPay's WAF would block, or `undefined`.
 *
 * @example findWafTrigger('Echo Dot 5') === 'Echo'
 */
export function findWafTrigger(value: string): string | undefined {
  for (const pattern of COMMAND_WORDS) {
    const match = pattern.exec(value);
    if (match) return match[0];
  }
  return SHELL_APPENDED.exec(value)?.[0];
}
