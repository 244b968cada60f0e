export declare const IAM_ACTION_OF: Record<string, string>;
export declare function isFullRun(globalConfig: Record<string, unknown>): boolean;
export interface PolicyDocument {
  Statement: Array<{ Effect: string; Action: string | string[] }>;
}
export declare function policyActions(policy: PolicyDocument): Set<string>;
export declare function comparePolicy(logText: string, policy: PolicyDocument, file?: string, unchecked?: string[]): string[];
export declare function readPolicy(rootDir: string, file?: string): PolicyDocument;
export declare const POLICY_DOCUMENTS: Array<{ file: string; covers: (operation: string) => boolean; unchecked?: string[] }>;
export declare function comparePolicies(logText: string, rootDir: string): string[];
