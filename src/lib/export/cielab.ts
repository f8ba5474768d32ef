/**
 * An sRGB colour ('#rrggbb') as DICOM's Recommended Display CIELab Value (PS3.3 C.10.7.1.1):
 * CIE L*a*b* under D65, L* scaled from 0…100 and a*, b* from −128…127 to 0…65535.
 */
export function hexToDicomLab(hex: string): [number, number, number] {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  const [r, g, b] = (m ? [m[1]!, m[2]!, m[3]!] : ['ff', '00', '00']).map((c) => {
    const v = parseInt(c, 16) / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  // sRGB → XYZ (IEC 61966-2-1), normalised by the D65 white point.
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number) => (t > (6 / 29) ** 3 ? Math.cbrt(t) : t / (3 * (6 / 29) ** 2) + 4 / 29);
  const [fx, fy, fz] = [f(x), f(y), f(z)];
  const lab = [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)] as const;
  const clamp = (v: number) => Math.max(0, Math.min(65535, Math.round(v)));
  return [clamp((lab[0] * 65535) / 100), clamp(((lab[1] + 128) * 65535) / 255), clamp(((lab[2] + 128) * 65535) / 255)];
}

/** The inverse: DICOM's scaled CIELab (D65) to the nearest sRGB colour '#rrggbb'. */
export function dicomLabToHex([l16, a16, b16]: [number, number, number]): string {
  const [l, a, b] = [(l16 * 100) / 65535, (a16 * 255) / 65535 - 128, (b16 * 255) / 65535 - 128];
  const fy = (l + 16) / 116;
  const finv = (t: number) => (t > 6 / 29 ? t ** 3 : 3 * (6 / 29) ** 2 * (t - 4 / 29));
  const [x, y, z] = [0.95047 * finv(fy + a / 500), finv(fy), 1.08883 * finv(fy - b / 200)];
  const linear = [
    3.2406 * x - 1.5372 * y - 0.4986 * z,
    -0.9689 * x + 1.8758 * y + 0.0415 * z,
    0.0557 * x - 0.204 * y + 1.057 * z,
  ];
  return `#${linear
    .map((v) => {
      const s = v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055;
      return Math.max(0, Math.min(255, Math.round(s * 255)))
        .toString(16)
        .padStart(2, '0');
    })
    .join('')}`;
}
