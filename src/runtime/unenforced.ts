// The check lives with the config so `validate` and `start` judge a config by one function.
export { unenforcedSettings } from "../config/unenforced.js";
