module beacon.test/clients/gosupport

go 1.22
