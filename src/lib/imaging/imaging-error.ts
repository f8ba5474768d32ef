/** An input the viewer refuses, with a reason a person can act on. */
export class ImagingError extends Error {
  override name = 'ImagingError';
}
