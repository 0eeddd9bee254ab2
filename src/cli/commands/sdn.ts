/** `sdnwal sdn ...`: the SDN tools — check, to-json, from-json, get, set, fmt — one file each under sdn/. */
import type { Command } from '../command.js';
import { checkCommand } from './sdn/check.js';
import { fmtCommand } from './sdn/fmt.js';
import { fromJsonCommand } from './sdn/from-json.js';
import { getCommand } from './sdn/get.js';
import { setCommand } from './sdn/set.js';
import { toJsonCommand } from './sdn/to-json.js';

export const sdnCommand: Command = {
  name: 'sdn',
  summary: 'check, convert, query and edit SDN files',
  usage: 'sdnwal sdn check|to-json|from-json|get|set|fmt <file|-> [path] [value]',
  help: [
    '`-` as the file reads stdin (not for set). Exit codes: 0 ok, 1 a parse error or failure,',
    '2 bad usage. A parse error prints `error: <message> at line L, column C` and a caret.',
  ].join('\n'),
  subcommands: [checkCommand, toJsonCommand, fromJsonCommand, getCommand, setCommand, fmtCommand],
};
