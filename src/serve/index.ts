// Public surface of src/serve. Other layers import only from this file.
export {};
