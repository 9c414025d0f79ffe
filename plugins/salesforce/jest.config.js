// sfdx-lwc-jest's configuration, plus a stub for lightning/actions, which it does not ship
// (https://github.com/salesforce/sfdx-lwc-jest#overriding-jest-config).
const { jestConfig } = require('@salesforce/sfdx-lwc-jest/config');

module.exports = {
  ...jestConfig,
  moduleNameMapper: {
    ...jestConfig.moduleNameMapper,
    '^lightning/actions$': '<rootDir>/jest-mocks/lightning/actions',
  },
  // Only the components' tests: test/*.test.ts are node tests run by npm test.
  roots: ['<rootDir>/force-app'],
  testTimeout: 10000,
};
