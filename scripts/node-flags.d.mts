// Types of ./node-flags.mjs, for the tests written in TypeScript.
export declare const CLI_SCRIPT: string;
export declare function nodeFlags(): string[];
export declare function nodeEnvironment(): Record<string, string>;
export declare function nodeLauncher(): string[];
