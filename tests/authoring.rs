use appwacht_tests::*;
