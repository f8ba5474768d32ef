export declare const gpuCount: { dispatches: number; written: number; mappedForRead: number };
export declare function installDawn(flags?: string[]): Promise<{ gpu: GPU | undefined; why: string }>;
