/**
 * Types for the parts of fs-ext sdnwal uses. fs-ext is CommonJS (`exports.flockSync = ...`),
 * so ESM code imports its module object as the default export: `import fsExt from 'fs-ext'`.
 */
declare module 'fs-ext' {
  /** 'ex'/'sh' block (never used by sdnwal); 'exnb'/'shnb' throw EAGAIN when held; 'un' releases. */
  type FlockFlag = 'sh' | 'ex' | 'shnb' | 'exnb' | 'un';
  interface FsExt {
    flockSync(fd: number, flags: FlockFlag): void;
    flock(fd: number, flags: FlockFlag, callback: (err: NodeJS.ErrnoException | null) => void): void;
  }
  const fsExt: FsExt;
  export default fsExt;
}
