/**
 * A new UID made on the device: '2.25.' and a random UUID as one decimal integer (PS3.5 B.2),
 * so no registered root is needed and nothing is asked of a server.
 */
export function newUid(): string {
  const hex = crypto.randomUUID().replace(/-/g, '');
  return `2.25.${BigInt(`0x${hex}`).toString(10)}`;
}

/** DICOM DA and TM values (PS3.5 6.2) of a moment, in local time as a viewer's user sees it. */
export function dicomDateTime(at: Date): { date: string; time: string } {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return {
    date: `${at.getFullYear()}${pad(at.getMonth() + 1)}${pad(at.getDate())}`,
    time: `${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}`,
  };
}
