/**
 * Filesystems on a local disk or in memory, by the magic number `statfs` reports (linux/magic.h):
 * their opens and page-cache reads cannot hang on a network. NFS, SMB/CIFS, FUSE (rclone, sshfs,
 * virtiofs), 9p and Ceph are not here: one of their operations can wait for a server.
 */
const LOCAL_FILESYSTEMS: ReadonlySet<number> = new Set([
  0xef53, // ext2/3/4
  0x58465342, // xfs
  0x9123683e, // btrfs
  0x2fc12fc1, // zfs
  0xf2f52010, // f2fs
  0x01021994, // tmpfs
  0x794c7630, // overlay
]);

/**
 * Whether a local store's streams may run their first operations on the event loop: not when the
 * operator said `off`, nor on a filesystem where an operation can hang (the reason says which).
 */
export function readsOnLoop(
  setting: 'auto' | 'off',
  filesystemType: number,
): { allowed: true } | { allowed: false; reason: string } {
  if (setting === 'off') return { allowed: false, reason: 'LOCAL_READS_ON_LOOP=off' };
  if (LOCAL_FILESYSTEMS.has(filesystemType)) return { allowed: true };
  return {
    allowed: false,
    reason: `not on a local disk (filesystem type 0x${filesystemType.toString(16)})`,
  };
}
