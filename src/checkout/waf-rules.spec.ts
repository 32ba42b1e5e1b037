import { describe, expect, it } from '@jest/globals';
import { findWafTrigger } from './waf-rules.js';

// docs/protocol.md §5.7 lists what ECPay's CDN blocks; each listed pattern must be caught, and ordinary shop text must
// not be.
describe('findWafTrigger', () => {
  it.each([
    ['net localgroup administrators', 'net localgroup'],
    ['run NET.EXE now', 'NET.EXE'],
    ['nmap.exe', 'nmap.exe'],
    ['nc.exe -l', 'nc.exe'],
    ['traceroute 1.1.1.1', 'traceroute'],
    ['tracert', 'tracert'],
    ['telnet.exe', 'telnet.exe'],
    ['tclsh8 script', 'tclsh8'],
    ['tftp get', 'tftp'],
    ['wguest.exe', 'wguest.exe'],
    ['wsh.exe', 'wsh.exe'],
    ['rcmd.exe', 'rcmd.exe'],
    ['ftp.exe', 'ftp.exe'],
    ['Echo Dot', 'Echo'],
    ['cmd32.exe', 'cmd32.exe'],
    ['cmd /c dir', 'cmd /c'],
    ['cd ..', 'cd ..'],
    ['CD/DVD drive', 'CD/'],
    ['cd \\windows', 'cd \\'],
    ['chmod +x run.sh', 'chmod +x'],
    ['gift; ls', '; ls'],
    ['a|id', '|id'],
    ['`uname`', '`uname'],
    ['kill;', 'kill;'],
    ['x | g++', '| g++'],
    ['perl| cat', 'perl|'],
  ])('%j → %j', (text, trigger) => {
    expect(findWafTrigger(text)).toBe(trigger);
  });

  it.each([
    'Oolong tea x2',
    'Echoes of the past', // "echo" only as a whole word
    'Tips; a guide', // "ps" inside a word is not the ps command
    'process | pipeline',
    'CD player',
    'abcd/efg',
    'Lemon id card holder',
    'Python book',
    'Mailbox',
    '促銷方案',
    'https://shop.example.com/ecpay/return',
  ])('%j passes', (text) => {
    expect(findWafTrigger(text)).toBeUndefined();
  });
});
