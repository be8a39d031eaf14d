// Public API of @attest/audit/nest: the Nest module and persistence beside the core.
export {};
