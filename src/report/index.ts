// Public surface of src/report. Other layers import only from this file.
export {};
