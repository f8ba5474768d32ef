import * as dicomParser from 'dicom-parser';
import type { DataSet } from 'dicom-parser';
import { Inflate } from 'fflate';
import { ImagingError } from '../imaging-error';
import { MAX_DECODED_BYTES } from '../limits';
import { EXPLICIT_LE_TS, IMPLICIT_LE_TS } from './transfer-syntax';
import { walkElements } from './element-walk';

const PREAMBLE = 128;

function hasMagic(bytes: Uint8Array, at: number): boolean {
  return (
    bytes.length >= at + 4 &&
    bytes[at] === 0x44 && // D
    bytes[at + 1] === 0x49 && // I
    bytes[at + 2] === 0x43 && // C
    bytes[at + 3] === 0x4d // M
  );
}

function isUpper(b: number | undefined): boolean {
  return b !== undefined && b >= 0x41 && b <= 0x5a;
}

/**
 * Accepts PS3.10 files, files whose 128-byte preamble was stripped (they start with "DICM"),
 * and bare data sets without a File Meta Information header (older exports): those start with
 * a group 0x0008 element, in implicit or explicit VR little endian.
 */
function normalise(bytes: Uint8Array): { bytes: Uint8Array; start: number; transferSyntax?: string } {
  if (hasMagic(bytes, PREAMBLE)) return { bytes, start: PREAMBLE + 4 };
  if (hasMagic(bytes, 0)) {
    const withPreamble = new Uint8Array(bytes.length + PREAMBLE);
    withPreamble.set(bytes, PREAMBLE);
    return { bytes: withPreamble, start: PREAMBLE + 4 };
  }
  const group = bytes.length >= 8 ? bytes[0]! | (bytes[1]! << 8) : -1;
  if (group === 0x0008) {
    const explicit = isUpper(bytes[4]) && isUpper(bytes[5]);
    return { bytes, start: 0, transferSyntax: explicit ? EXPLICIT_LE_TS : IMPLICIT_LE_TS };
  }
  throw new ImagingError('not a DICOM file: no "DICM" marker at byte 128 and no data set at byte 0');
}

/**
 * Inflates a Deflated Explicit VR Little Endian data set (PS3.5 A.5: raw deflate after the
 * meta header), refusing to grow past MAX_DECODED_BYTES so a small file cannot expand into
 * gigabytes.
 */
function boundedInflater(bytes: Uint8Array, position: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = position;
  const inflate = new Inflate((chunk) => {
    total += chunk.length;
    if (total > MAX_DECODED_BYTES) {
      throw new ImagingError(`deflated data set inflates past the ${MAX_DECODED_BYTES / 2 ** 20} MiB limit`);
    }
    chunks.push(chunk);
  });
  const step = 1 << 16;
  for (let at = position; at < bytes.length; at += step) {
    inflate.push(bytes.subarray(at, Math.min(at + step, bytes.length)), at + step >= bytes.length);
  }
  const out = new Uint8Array(total);
  out.set(bytes.subarray(0, position));
  let at = position;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** dicom-parser throws strings, or objects holding `exception`; make them one readable Error. */
function parserMessage(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === 'string') return thrown;
  if (thrown && typeof thrown === 'object' && 'exception' in thrown) return String(thrown.exception);
  return String(thrown);
}

export function readPart10(input: Uint8Array): DataSet {
  const { bytes, start, transferSyntax } = normalise(input);
  // dicom-parser reads an element whose VR contradicts the transfer syntax as garbage, or
  // reports it as a buffer overrun: say what is malformed, and where, before trusting it.
  const finding = walkElements(bytes, start, transferSyntax);
  if (finding?.kind === 'malformed') throw new ImagingError(finding.text);
  try {
    return dicomParser.parseDicom(bytes, {
      TransferSyntaxUID: transferSyntax,
      inflater: boundedInflater,
    } as dicomParser.ParseDicomOptions);
  } catch (thrown) {
    if (thrown instanceof ImagingError) throw thrown;
    const message = parserMessage(thrown).replace(/^dicomParser[.:]\w+: /, '');
    if (finding) throw new ImagingError(`${finding.text}: the file is truncated`);
    if (/overrun|overread|past the end/i.test(message)) {
      throw new ImagingError(`the file ends inside a data element: it is truncated`);
    }
    // The parser's own words stay in `cause` for developers; the user reads what it means.
    throw new ImagingError(
      'the DICOM data set could not be read: it is damaged (an element or a sequence does not end where its length says)',
      { cause: thrown },
    );
  }
}
