// Colours. The only module (with its siblings in src/ui) that imports chalk. NO_COLOR and
// --no-color turn colour off; a colour per host keeps parallel output readable.

import { Chalk, type ChalkInstance } from 'chalk';

export interface Style {
  readonly enabled: boolean;
  host(name: string): (text: string) => string;
  readonly dim: (text: string) => string;
  readonly bold: (text: string) => string;
  readonly red: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly green: (text: string) => string;
}

export function colorWanted(flag: boolean | undefined, stream: NodeJS.WriteStream): boolean {
  if (flag !== undefined) return flag;
  if ('NO_COLOR' in process.env && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

const HOST_COLOURS: ((c: ChalkInstance) => ChalkInstance)[] = [
  (c) => c.cyan, (c) => c.magenta, (c) => c.green, (c) => c.yellow, (c) => c.blue,
  (c) => c.cyanBright, (c) => c.magentaBright, (c) => c.greenBright, (c) => c.yellowBright, (c) => c.blueBright,
];

export function createStyle(enabled: boolean): Style {
  const chalk = new Chalk({ level: enabled ? 2 : 0 });
  const hostColour = (name: string): ChalkInstance => {
    let h = 0;
    for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    return (HOST_COLOURS[h % HOST_COLOURS.length] as (c: ChalkInstance) => ChalkInstance)(chalk);
  };
  return {
    enabled,
    host: (name) => {
      const c = hostColour(name);
      return (text) => c(text);
    },
    dim: (t) => chalk.dim(t),
    bold: (t) => chalk.bold(t),
    red: (t) => chalk.red(t),
    yellow: (t) => chalk.yellow(t),
    green: (t) => chalk.green(t),
  };
}
