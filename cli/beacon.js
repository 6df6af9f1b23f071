#!/usr/bin/env node
// `npx beacon …`: loads tsx so the TypeScript CLI runs without build output, then hands over to main.ts.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
