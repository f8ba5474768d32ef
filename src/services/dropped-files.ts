/**
 * Files from a drop, walking dropped folders (the File and Directory Entries API) so a whole
 * DICOM series folder can be dropped at once.
 */
export async function droppedFiles(transfer: DataTransfer): Promise<File[]> {
  const entries = [...transfer.items]
    .map((item) => item.webkitGetAsEntry?.())
    .filter((entry): entry is FileSystemEntry => !!entry);
  if (entries.length === 0) return [...transfer.files];
  const files: File[] = [];
  for (const entry of entries) files.push(...(await walk(entry)));
  return files;
}

async function walk(entry: FileSystemEntry): Promise<File[]> {
  if (entry.isFile) {
    return [await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject))];
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const children: FileSystemEntry[] = [];
  // readEntries returns the folder in batches until it returns an empty one.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    children.push(...batch);
  }
  const nested = await Promise.all(children.map(walk));
  return nested.flat();
}

/** Files that are certainly not images (OS metadata) are skipped quietly. */
export function isCandidate(file: File): boolean {
  return !/^\.|^(DICOMDIR|Thumbs\.db|desktop\.ini)$/i.test(file.name);
}
