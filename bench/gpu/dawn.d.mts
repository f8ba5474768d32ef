export interface DawnCounts {
  dispatches: number;
  written: number;
  mappedForRead: number;
}
export declare function counted<T>(run: () => Promise<T>): Promise<{ result: T; counts: DawnCounts }>;
export declare function installDawn(flags?: string[]): Promise<{ gpu: GPU | undefined; why: string }>;
