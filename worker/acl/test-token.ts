// The initial management token of the ACL test project, shared by vitest.config.ts and the ACL tests.
export const ACL_TEST_MANAGEMENT_TOKEN = '8f2c1d4e-0b7a-4c3e-9d61-5a2b7e9f0c13';
